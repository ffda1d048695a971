// Record a student's choice about affect processing, and when it was made
MATCH (s:Student {id: $student_id})
SET s.affect_consent = $consent, s.affect_consent_ts = $ts
RETURN s.id AS id, s.affect_consent AS consent
