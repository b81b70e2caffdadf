META
key;value
description;Random instance random-02-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;8
num_votes;40
budget;5659
vote_type;approval
PROJECTS
project_id;cost;name
p0;600;Project 0
p1;4250;Project 1
p2;50;Project 2
p3;1800;Project 3
p4;200;Project 4
p5;900;Project 5
p6;2750;Project 6
p7;1000;Project 7
VOTES
voter_id;vote
v0;p4,p5
v1;p4,p6
v2;p1,p3,p6
v3;p3,p4
v4;p4,p7
v5;p3,p4
v6;p7,p4
v7;p4,p3,p5,p1
v8;p1
v9;p3,p4,p7
v10;p7,p4
v11;p7,p4
v12;p1,p4,p7,p3
v13;p6,p7
v14;p3,p6
v15;p4
v16;p7,p4,p3,p6,p1
v17;p7
v18;p7,p3,p1
v19;p3
v20;p1
v21;p4,p7,p5,p1,p3
v22;p1,p5
v23;p4,p3,p7
v24;p4,p3
v25;p5,p6,p3,p4
v26;p3,p7,p4
v27;p4,p6
v28;p1,p3,p4
v29;p4
v30;
v31;p1,p4,p3
v32;p4
v33;p5,p4,p1
v34;p4,p1,p3
v35;p4,p3
v36;p3,p1
v37;
v38;p7,p3,p1,p5
v39;p4,p3
