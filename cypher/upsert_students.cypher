// Consent is only ever set on creation here: re-importing never overrides a student's choice
UNWIND $rows AS r
MERGE (s:Student {id: r.id})
ON CREATE SET s.affect_consent = r.affect_consent
SET s.name = r.name, s.email = r.email, s.dataset = r.dataset
RETURN count(s) AS n
