// Erase a student's whole affect history (right to erasure); returns how many tags went
MATCH (:Student {id: $student_id})-[:FELT]->(e:AffectEvent)
DETACH DELETE e
RETURN count(e) AS n
