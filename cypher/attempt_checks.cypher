// What an answer's ingestion checks, in one round trip: which of these questions and students
// exist (answers to others are rejected), and what these event ids already store (a re-sent
// answer is "existing" only when it matches; no labels on the attempt's ends, as in
// stored_attempts.cypher, so the ATTEMPTED.event_id index is used); stored answers as
// parallel lists
CALL {
  UNWIND $question_ids AS id
  MATCH (q:Question {id: id})
  RETURN collect(q.id) AS questions
}
CALL {
  UNWIND $student_ids AS id
  MATCH (s:Student {id: id})
  RETURN collect(s.id) AS students
}
CALL {
  UNWIND $event_ids AS id
  MATCH (s)-[a:ATTEMPTED {event_id: id}]->(q)
  RETURN collect(a.event_id) AS event_ids, collect(s.id) AS stored_students,
         collect(q.id) AS stored_questions, collect(a.correct) AS stored_correct
}
RETURN questions, students, event_ids, stored_students, stored_questions, stored_correct
