// Students with these lower-cased e-mail addresses (xAPI mbox actors), among those the caller
// may name: one tenant's ($tenant), a tutor's classes' ($tutor_id), one student ($student_id);
// '' means no restriction (admins). An LMS never matches, nor learns of, another tenant's
UNWIND $emails AS e
MATCH (s:Student)
WHERE toLower(s.email) = e AND ($tenant = '' OR s.tenant = $tenant)
  AND ($student_id = '' OR s.id = $student_id)
  AND ($tutor_id = '' OR (s)-[:MEMBER_OF]->(:Class)<-[:TEACHES]-(:Tutor {id: $tutor_id}))
RETURN e AS email, s.id AS id
