// Each KP's population prior (services/priors.py): the estimated share of students who know it
// before practising it, and how many students' first answers it rests on
UNWIND $rows AS r
MATCH (k:KnowledgePoint {id: r.id})
SET k.known_share = r.share, k.known_share_students = r.students
RETURN count(k) AS n
