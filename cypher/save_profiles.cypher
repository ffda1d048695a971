// Write a batch of daily profiles onto their students (interest tags as two parallel lists:
// Neo4j properties cannot hold maps)
UNWIND $rows AS r
MATCH (s:Student {id: r.student_id})
SET s.profile_attempts = r.attempts, s.profile_correct_rate = r.correct_rate,
    s.profile_time_spent_s = r.time_spent_s, s.profile_attempts_7d = r.attempts_7d,
    s.profile_last_active = r.last_active, s.interest_tags = r.interest_tags,
    s.interest_weights = r.interest_weights, s.latest_emotion = r.latest_emotion,
    s.latest_emotion_ts = r.latest_emotion_ts, s.profile_refreshed = r.refreshed
RETURN count(s) AS n
