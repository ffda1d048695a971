// Students with these lower-cased e-mail addresses (xAPI mbox actors), in one tenant unless
// $tenant is '' (so an LMS never matches, nor learns of, another tenant's students)
UNWIND $emails AS e
MATCH (s:Student)
WHERE toLower(s.email) = e AND ($tenant = '' OR s.tenant = $tenant)
RETURN e AS email, s.id AS id
