META
key;value
description;Random instance random-01-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;6
num_votes;30
budget;1980
vote_type;approval
PROJECTS
project_id;cost;name
p0;2000;Project 0
p1;800;Project 1
p2;1200;Project 2
p3;900;Project 3
p4;200;Project 4
p5;900;Project 5
VOTES
voter_id;vote
v0;p0,p1,p5
v1;
v2;p4,p3
v3;
v4;p0
v5;
v6;p3,p0,p5
v7;p0,p3,p4
v8;p4,p3
v9;p0,p3
v10;
v11;
v12;p3,p5
v13;p5,p1
v14;
v15;p5,p4
v16;p1,p4
v17;p0
v18;p1
v19;p2,p1,p4,p3
v20;p0
v21;p5,p4
v22;p3
v23;p3
v24;p3
v25;p3
v26;p3
v27;p3
v28;
v29;p4
