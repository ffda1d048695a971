// The tutors of a student's classes: who hears about an intervention
MATCH (:Student {id: $student_id})-[:MEMBER_OF]->(:Class)<-[:TEACHES]-(t:Tutor)
RETURN DISTINCT t.id AS id, t.name AS name, t.email AS email
ORDER BY id
