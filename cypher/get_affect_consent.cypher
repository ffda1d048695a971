// Whether a student consented to affect processing (absent means no)
MATCH (s:Student {id: $student_id})
RETURN s.id AS id, coalesce(s.affect_consent, false) AS consent
