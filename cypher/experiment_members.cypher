// The students of an experiment's classes, with what they said about consent before it started
MATCH (x:Experiment {id: $id})-[:ON]->(:Class)<-[:MEMBER_OF]-(s:Student)
WITH DISTINCT x, s
OPTIONAL MATCH (s)-[e:ENROLLED]->(x)
RETURN s.id AS student_id, e.consent AS consent
ORDER BY student_id
