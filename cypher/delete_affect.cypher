// Erase a student's whole affect history (right to erasure) and what was derived from it on the
// student (the profile's latest emotion); returns how many tags went
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:FELT]->(e:AffectEvent)
WITH s, collect(e) AS events
FOREACH (e IN events | DETACH DELETE e)
REMOVE s.latest_emotion, s.latest_emotion_ts
RETURN size(events) AS n
