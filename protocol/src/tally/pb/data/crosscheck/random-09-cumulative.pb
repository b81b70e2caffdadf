META
key;value
description;Random instance random-09-cumulative for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;8
num_votes;40
budget;3163
vote_type;cumulative
max_sum_points;15
PROJECTS
project_id;cost;name
p0;600;Project 0
p1;3750;Project 1
p2;2000;Project 2
p3;150;Project 3
p4;150;Project 4
p5;150;Project 5
p6;150;Project 6
p7;1600;Project 7
VOTES
voter_id;vote;points
v0;p5,p6,p1,p2,p0;2,2,2,3,2
v1;p6;3
v2;p2,p6;3,3
v3;p5,p6;1,2
v4;p5;3
v5;p4,p5,p6;2,2,2
v6;p1,p6,p2;2,2,3
v7;p4,p6,p1;3,2,2
v8;p3,p1,p5,p6;1,2,3,3
v9;p4,p5,p0,p6;2,3,1,2
v10;p6,p3;1,1
v11;p1,p2,p3,p6;2,1,3,3
v12;p5,p3;1,3
v13;p6,p5;2,2
v14;p5,p6,p3,p0;2,3,2,2
v15;p0,p4,p5;3,2,1
v16;p6,p2;1,3
v17;p5;3
v18;p1,p2,p5;1,3,1
v19;p3,p6;2,1
v20;p2,p5,p3,p1;3,1,2,1
v21;p2,p3,p6;3,2,2
v22;p3,p5,p2;1,2,1
v23;p5,p2,p4,p6,p1;3,3,3,1,2
v24;p5,p4,p2,p6;2,2,2,3
v25;p1,p5,p2;1,3,3
v26;p2,p5;3,1
v27;p3,p6;1,3
v28;p5,p6,p1;3,2,3
v29;p4,p2,p3;2,2,3
v30;p0,p5;3,3
v31;p1,p3;2,3
v32;p6,p7,p5,p3,p0;2,3,2,3,1
v33;p6,p3;1,1
v34;p5,p2,p6,p0;1,1,2,2
v35;p2,p3;2,1
v36;p3,p6;3,1
v37;p2,p6,p0,p1;2,2,3,2
v38;p4,p5;1,3
v39;p6,p3,p1,p5,p4;2,1,3,3,1
