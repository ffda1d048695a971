// Keep each student's models' state (an opaque base64 string the recommender wrote and checks
// itself: it names the history and the models it came from); an unknown student is skipped
UNWIND $rows AS row
MATCH (s:Student {id: row.student_id})
SET s.model_state = row.state
