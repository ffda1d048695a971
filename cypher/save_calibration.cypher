// The course's IRT refit just written: when, on how many answers, questions and students
MERGE (c:Calibration {id: $dataset})
SET c.answers = $answers, c.ts = $ts, c.questions = $questions, c.students = $students
RETURN c.id AS id
