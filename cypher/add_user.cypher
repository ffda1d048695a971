// Creates the account once; `created` is false when the name was already taken (hashes are salted,
// so only this call's hash can match)
MERGE (u:User {id: $username})
ON CREATE SET u.password_hash = $password_hash, u.role = $role, u.student_id = $student_id,
              u.tutor_id = $tutor_id, u.created = $now
RETURN u.password_hash = $password_hash AS created
