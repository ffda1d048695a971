MATCH (u:User {id: $username})
RETURN u.id AS username, u.password_hash AS password_hash, u.role AS role,
       u.student_id AS student_id, u.tutor_id AS tutor_id,
       coalesce(u.disabled, false) AS disabled
