META
key;value
description;Random instance random-08-cumulative for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;6
num_votes;20
budget;4287
vote_type;cumulative
max_sum_points;15
PROJECTS
project_id;cost;name
p0;2250;Project 0
p1;1600;Project 1
p2;200;Project 2
p3;2000;Project 3
p4;1000;Project 4
p5;1700;Project 5
VOTES
voter_id;vote;points
v0;p1,p3,p5;1,2,1
v1;p0,p5;1,2
v2;p2,p0;3,2
v3;p0,p3,p5,p4;3,1,1,1
v4;p5;3
v5;p3;1
v6;p5;3
v7;p3,p0;2,1
v8;p0,p5,p2;1,1,3
v9;p2;1
v10;p0;1
v11;p1;2
v12;p0;3
v13;p3;1
v14;p5,p0;1,1
v15;p2,p5;2,2
v16;p5,p2;3,2
v17;p0,p2;1,1
v18;p0,p1,p3;1,3,2
v19;p5,p3;3,3
