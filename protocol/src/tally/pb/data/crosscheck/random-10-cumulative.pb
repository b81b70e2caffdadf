META
key;value
description;Random instance random-10-cumulative for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;10
num_votes;70
budget;7800
vote_type;cumulative
max_sum_points;15
PROJECTS
project_id;cost;name
p0;5000;Project 0
p1;250;Project 1
p2;250;Project 2
p3;1000;Project 3
p4;650;Project 4
p5;700;Project 5
p6;700;Project 6
p7;400;Project 7
p8;2750;Project 8
p9;1300;Project 9
VOTES
voter_id;vote;points
v0;p7,p0,p3,p2,p5;1,2,1,3,3
v1;p5,p7;3,3
v2;p1,p3;2,2
v3;p5;2
v4;p7,p6,p8,p2;2,3,2,1
v5;p3,p1;1,2
v6;p5,p6,p7,p3;1,1,1,3
v7;p3,p6,p2;1,1,2
v8;p8,p3,p7,p9,p5;2,1,1,2,2
v9;p5,p2,p7,p6;2,3,3,2
v10;p6;1
v11;p2,p9,p0,p7,p5;3,3,3,2,1
v12;p6,p1,p7,p5;2,2,3,1
v13;p6;1
v14;p7,p9,p2;1,3,1
v15;p5,p6,p9;2,1,3
v16;p5,p8,p6,p2,p1;3,3,2,1,2
v17;p3,p9,p6,p2;2,1,2,2
v18;p5,p3,p2,p6,p7;2,1,1,3,3
v19;p0,p6,p1;2,3,2
v20;p1,p3,p6,p5;3,2,1,1
v21;p2,p0,p1,p7,p5;3,2,1,1,3
v22;p5,p2,p0,p7,p9;1,1,3,1,2
v23;p5,p9,p0,p2,p8;2,1,3,1,2
v24;p7,p2,p1,p3;1,1,1,3
v25;p5,p9,p3,p2,p7;3,2,1,2,2
v26;p3,p6,p7;2,3,1
v27;p5,p1,p6,p9,p2;3,3,2,1,1
v28;p3,p5,p7;1,1,2
v29;p7,p3,p2,p1;3,3,2,2
v30;p2,p3,p8,p5;2,3,1,3
v31;p2,p7,p5;1,3,2
v32;p9,p2,p3,p7,p5;3,1,2,3,1
v33;p2,p7,p6,p8;3,3,1,1
v34;p6,p5,p3,p0,p9;2,3,3,3,1
v35;p5,p6,p0,p1,p2;2,1,1,2,1
v36;p7,p3,p6;2,2,2
v37;p3,p7,p5;3,1,3
v38;p2,p6,p3,p8,p7;3,3,3,3,3
v39;p2,p3,p5,p0,p7;1,3,1,1,1
v40;p2,p0,p1,p3,p7;1,3,2,3,2
v41;p3,p1,p0,p6;1,3,1,3
v42;p0,p8,p1;2,2,3
v43;p5,p6,p9,p7;1,1,2,1
v44;p3,p2,p6;3,1,1
v45;p2,p1,p5,p7,p0;2,2,1,1,1
v46;p3,p2,p6;2,2,1
v47;p6,p5,p7;1,1,1
v48;p7,p9,p5,p6,p3;1,2,2,2,3
v49;p3,p6,p7;3,1,1
v50;p2,p0,p7;3,2,2
v51;p5,p8,p3;3,3,3
v52;p1,p0,p7,p3,p5;3,1,1,1,2
v53;p7,p6,p3,p1;3,2,3,3
v54;p1,p6,p2;1,3,3
v55;p5,p7;1,1
v56;p7,p9,p6,p3,p5;3,1,3,1,2
v57;p9,p7,p3,p4;2,2,2,1
v58;p3,p6,p2;2,2,3
v59;p6,p5,p7;1,1,1
v60;p6,p9,p5,p0,p8;3,3,1,3,2
v61;p5,p6,p7;1,2,3
v62;p3,p7,p6;3,3,2
v63;p6,p2,p3;3,3,1
v64;p7,p6,p2,p3,p1;2,1,1,1,3
v65;p5,p8,p2,p3,p6;3,3,1,3,1
v66;p7,p9,p3,p8,p5;3,3,1,2,1
v67;p5,p7,p6;3,3,2
v68;p6,p1,p3;3,3,2
v69;p7,p8,p5,p9,p2;2,3,1,2,1
