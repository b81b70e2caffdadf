META
key;value
description;Random instance random-03-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;10
num_votes;60
budget;3774
vote_type;approval
PROJECTS
project_id;cost;name
p0;450;Project 0
p1;750;Project 1
p2;1800;Project 2
p3;650;Project 3
p4;250;Project 4
p5;1400;Project 5
p6;950;Project 6
p7;3250;Project 7
p8;200;Project 8
p9;1400;Project 9
VOTES
voter_id;vote
v0;p1,p2,p8,p9
v1;p2,p3,p5,p6
v2;p3,p2,p1
v3;p1,p3,p9
v4;p8,p5,p6
v5;p1,p4,p3,p2
v6;p3,p5
v7;p2,p3,p1
v8;p2
v9;p6,p2,p5
v10;p4,p6
v11;p1,p3
v12;p9,p5,p1,p6
v13;p6,p3,p1
v14;p3,p1
v15;p2,p0,p6,p3,p1
v16;p8,p1,p6
v17;p0,p1,p3,p4,p5,p8
v18;p1
v19;p1,p5
v20;p8,p3
v21;p2,p8,p5,p1
v22;p1,p3
v23;p4,p3
v24;p9,p2,p0
v25;p5,p0
v26;p5,p1,p3,p4,p9
v27;p2,p3,p1
v28;p5,p6,p8
v29;p3,p9,p2,p1,p5
v30;
v31;p4,p1,p3,p5,p2
v32;p1,p2,p3
v33;p3,p8,p5,p1
v34;p3,p6,p8
v35;p9,p5,p1,p6,p3
v36;p1
v37;p2,p5,p3
v38;p5,p3,p8,p1
v39;p3,p5,p4,p0
v40;p8,p6,p1
v41;p3,p4
v42;p8,p5,p1
v43;p5,p1,p0
v44;p2,p5
v45;p4,p2,p5,p3,p1,p0
v46;p5,p2
v47;p1,p6,p3
v48;p5,p3,p2
v49;p5,p6,p4,p3
v50;p7,p4,p0,p5
v51;p8,p3,p5,p0,p1
v52;p4,p1,p5,p3
v53;p3,p8
v54;
v55;p3,p0,p1
v56;p8,p3,p5
v57;p4,p1
v58;p5,p1
v59;p3,p2
