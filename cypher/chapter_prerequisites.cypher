// Edges into the chapter's KPs, including those from other chapters (the map draws them as external)
MATCH (a:KnowledgePoint)-[p:PREREQUISITE_OF]->(b:KnowledgePoint)-[:IN_CHAPTER]->(:Chapter {id: $chapter_id})
MATCH (a)-[:IN_CHAPTER]->(ac:Chapter)
RETURN a.id AS before, b.id AS after, p.inferred AS inferred, p.confidence AS confidence,
       ac.id AS before_chapter, a.name AS before_name
ORDER BY before, after
