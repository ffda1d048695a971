// A student's basic info, classes and last daily profile
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:MEMBER_OF]->(c:Class)
RETURN s.id AS student_id, s.name AS name, s.email AS email, s.dataset AS dataset,
       coalesce(s.affect_consent, false) AS affect_consent, collect(c.id) AS class_ids,
       s.profile_attempts AS attempts, s.profile_correct_rate AS correct_rate,
       s.profile_time_spent_s AS time_spent_s, s.profile_attempts_7d AS attempts_7d,
       s.profile_last_active AS last_active, s.interest_tags AS interest_tags,
       s.interest_weights AS interest_weights, s.latest_emotion AS latest_emotion,
       s.latest_emotion_ts AS latest_emotion_ts, s.profile_refreshed AS refreshed
