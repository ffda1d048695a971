// The experiments of a student's classes, with their own enrolment (never another's)
MATCH (s:Student {id: $student_id})-[:MEMBER_OF]->(:Class)<-[:ON]-(x:Experiment)
WITH DISTINCT s, x
OPTIONAL MATCH (x)-[:ON]->(c:Class)
WITH s, x, collect(c.id) AS class_ids
OPTIONAL MATCH (s)-[e:ENROLLED]->(x)
OPTIONAL MATCH (r:QuestionnaireResponse {id: x.id + '|' + s.id})
RETURN properties(x) AS props, class_ids, e.consent AS consent,
       e.withdrawn_at AS withdrawn_at, r.answers AS answers, x.created_at AS created,
       x.id AS id
ORDER BY created DESC, id
