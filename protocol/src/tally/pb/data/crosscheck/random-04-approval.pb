META
key;value
description;Random instance random-04-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;12
num_votes;25
budget;10092
vote_type;approval
PROJECTS
project_id;cost;name
p0;3500;Project 0
p1;1500;Project 1
p2;200;Project 2
p3;900;Project 3
p4;400;Project 4
p5;900;Project 5
p6;2500;Project 6
p7;950;Project 7
p8;750;Project 8
p9;1000;Project 9
p10;550;Project 10
p11;4250;Project 11
VOTES
voter_id;vote
v0;p1,p0
v1;p2,p10,p7,p3,p1,p0
v2;p7,p1,p8
v3;p5,p0,p3
v4;p3,p9,p11,p2,p5,p0,p4
v5;p5,p4,p6,p2
v6;p3,p8,p0,p9,p10
v7;p6,p4,p7,p3,p10
v8;p1,p10,p8,p2
v9;p1,p5,p10
v10;p5,p6,p3,p11,p1
v11;p8
v12;p4,p8,p1,p10,p2
v13;p7,p10
v14;p3,p0
v15;p6,p9,p4
v16;p3,p4,p8,p7,p6,p10,p1
v17;p6,p3,p0,p2
v18;p3,p10,p5
v19;p1,p3,p7
v20;p5,p10,p8,p2,p0,p1
v21;p10,p1,p2
v22;p3,p2,p10,p0,p1
v23;p10,p2,p0,p3
v24;p0,p8
