// A tutor account's Tutor node: created when missing, never renamed by an account
MERGE (t:Tutor {id: $tutor_id})
ON CREATE SET t.name = $name, t.email = $email, t.dataset = ''
RETURN t.id AS id
