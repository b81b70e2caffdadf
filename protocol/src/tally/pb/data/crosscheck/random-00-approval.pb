META
key;value
description;Random instance random-00-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;5
num_votes;12
budget;2322
vote_type;approval
PROJECTS
project_id;cost;name
p0;400;Project 0
p1;1400;Project 1
p2;2250;Project 2
p3;800;Project 3
p4;550;Project 4
VOTES
voter_id;vote
v0;p2,p3
v1;p0
v2;p3,p2
v3;p2,p4,p0
v4;p2,p3
v5;p2,p4,p0,p1
v6;p4
v7;p0
v8;
v9;p0,p2,p1
v10;p3,p0
v11;
