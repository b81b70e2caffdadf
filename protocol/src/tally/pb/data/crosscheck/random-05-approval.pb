META
key;value
description;Random instance random-05-approval for pabutools cross-checks (scripts/pb_crosscheck.py)
num_projects;7
num_votes;9
budget;3979
vote_type;approval
PROJECTS
project_id;cost;name
p0;500;Project 0
p1;750;Project 1
p2;4250;Project 2
p3;600;Project 3
p4;1250;Project 4
p5;1000;Project 5
p6;300;Project 6
VOTES
voter_id;vote
v0;p4,p6,p3,p0
v1;p3,p0,p2
v2;p0,p3
v3;p0
v4;p3
v5;p0
v6;p3,p2
v7;p0,p4
v8;p3,p1,p4,p0,p2
