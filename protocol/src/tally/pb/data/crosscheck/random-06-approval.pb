META
key;value
description;Random instance random-06-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;15
num_votes;120
budget;5726
vote_type;approval
PROJECTS
project_id;cost;name
p0;1500;Project 0
p1;4000;Project 1
p2;500;Project 2
p3;4500;Project 3
p4;450;Project 4
p5;650;Project 5
p6;200;Project 6
p7;700;Project 7
p8;1500;Project 8
p9;3250;Project 9
p10;550;Project 10
p11;400;Project 11
p12;250;Project 12
p13;1500;Project 13
p14;500;Project 14
VOTES
voter_id;vote
v0;p0,p8,p2
v1;p4
v2;p14,p2,p7,p0
v3;p0,p7,p5,p9
v4;p0,p4,p5,p8
v5;p3,p5
v6;p5,p0,p3,p8
v7;p14
v8;p8,p14
v9;p6,p7,p14,p5
v10;p5,p8
v11;p12,p1,p11,p2,p3,p14
v12;p9,p0,p7,p12,p5,p11,p2,p3
v13;p0,p5,p13,p8,p11
v14;p1,p5
v15;p0,p7
v16;p14,p0
v17;p7,p0
v18;p1
v19;p1,p7,p14,p4,p9
v20;p0,p7
v21;p5,p1,p12,p6
v22;p7,p5
v23;p2,p14,p8,p11,p5,p13
v24;p3,p7,p6,p9,p8,p14
v25;p0,p8
v26;p0,p9,p3,p7
v27;p4,p0,p9
v28;p0
v29;p0
v30;p7,p6,p8,p5
v31;p5
v32;p9,p14,p0,p5
v33;p3,p5,p7
v34;p5,p1
v35;p7,p9,p11
v36;p0,p8,p3
v37;p0,p8,p11,p7,p5,p13
v38;p11,p2,p8
v39;p13,p3,p0,p7
v40;p6,p8
v41;p5,p4,p7,p0,p3
v42;p14,p3
v43;p9,p1,p3,p8
v44;p6,p7,p5
v45;p0,p8,p14
v46;p6,p14,p9
v47;p13,p11,p5,p0,p2
v48;p4,p8,p11,p7,p6
v49;p1,p4,p14,p6,p9
v50;p6,p14,p7
v51;p9,p0,p8,p2,p11,p1
v52;p0,p7,p5,p14,p9,p11
v53;p5,p1,p14,p0,p7,p6,p3,p8
v54;p0,p2,p14,p5,p11,p13
v55;p4,p7
v56;p7,p14,p0,p5,p6
v57;p5
v58;p11,p8
v59;p7,p9
v60;p11,p13,p1,p9,p0,p5
v61;p3,p4,p8,p12,p2,p0
v62;p8,p7,p0
v63;p6,p0,p11,p9,p1
v64;p5,p4
v65;p11,p14,p0,p9
v66;p7,p9,p0,p1,p14
v67;p12,p7,p14
v68;p2,p4,p1,p11
v69;p5,p11
v70;p3,p6,p11,p7
v71;p14,p7,p8
v72;p14,p7,p5,p1,p8,p0
v73;p7,p0,p11,p9,p1,p5
v74;p7,p0,p9
v75;p7,p0,p9,p6,p11,p5
v76;p11,p14
v77;p8,p5,p14,p11,p13,p0
v78;p0
v79;p14,p7
v80;p3,p5,p6,p0
v81;p14,p5,p6,p11,p0
v82;p0,p7,p14,p9
v83;p6,p7,p3,p5,p0
v84;p1,p5,p0,p3,p7
v85;p7,p0,p14,p4
v86;p3,p7,p11,p5
v87;p7
v88;p14,p11,p0,p2
v89;p5,p0,p7
v90;p5,p1,p4
v91;p1,p11,p2,p7
v92;p6,p7,p12,p5
v93;p14,p7,p0,p2,p4,p3
v94;p5,p11,p3,p0
v95;p0,p8,p7,p1,p4
v96;p12,p8,p7
v97;p14,p5,p0
v98;p5,p7,p8
v99;p9,p0
v100;p14,p9,p3,p7
v101;p7,p8
v102;p2,p11
v103;p1,p9,p11,p0,p5
v104;p11,p14,p7,p0,p5
v105;p1,p12,p5
v106;p0
v107;p6,p0,p8,p7
v108;p14,p11,p13,p3,p4,p0,p1
v109;p8,p14,p3,p0,p6
v110;p6,p12,p7,p5
v111;p0,p5,p7,p9
v112;p14
v113;p4,p5,p13,p0
v114;p11,p0,p14,p8,p3,p7
v115;p11,p4,p14,p13,p0
v116;p0,p5,p6,p11
v117;p2,p9,p4,p1
v118;p5,p3,p11,p0
v119;p9,p8,p5
