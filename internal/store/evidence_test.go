package store

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// mustEvidence stores an item (data for a document) with its search entry.
func mustEvidence(t *testing.T, db *DB, f orgFixture, e persona.Evidence, data []byte) persona.Evidence {
	t.Helper()
	e.ID, e.OrgID = newID(), f.Org.ID
	e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy = t0, f.Owner.ID, t0, f.Owner.ID
	if e.Tags == nil {
		e.Tags = []string{}
	}
	text := ""
	if e.File != nil && strings.HasPrefix(e.File.ContentType, "text/") {
		text = string(data)
	}
	wantNoErr(t, db.CreateEvidence(t.Context(), e, data, persona.EvidenceEntry(e, text)), "CreateEvidence "+e.Title)
	e.CreatedAt, e.UpdatedAt, e.CreatedByName = want(t0), want(t0), f.Owner.Name
	return e
}

func mustLink(t *testing.T, db *DB, f orgFixture, l persona.EvidenceLink) persona.EvidenceLink {
	t.Helper()
	l.ID, l.OrgID, l.CreatedAt, l.CreatedBy = newID(), f.Org.ID, t0, f.Owner.ID
	wantNoErr(t, db.CreateEvidenceLink(t.Context(), l), "CreateEvidenceLink")
	l.CreatedAt = want(t0)
	return l
}

func testEvidence(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "evidence")

	// A binary file of every byte value, to prove the blob round-trips.
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 4096)...)
	_, _ = rand.Read(pdf[9:])
	doc := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceDocument, Title: "Ops interviews report",
		Source: "Research team", CollectedOn: "2026-09-14", Tags: []string{"interviews", "month end"},
		File: &persona.EvidenceFile{Name: "report.pdf", ContentType: "application/pdf", Size: int64(len(pdf)), SHA256: "abc"}}, pdf)
	quote := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceQuote, Title: "Four days at month end",
		Quote: "Month end takes us four days, every single month.", Speaker: "System lead, tier-1 bank", Tags: []string{"month end"}}, nil)
	link := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceWebLink, Title: "Industry survey", URL: "https://example.com/survey"}, nil)
	study := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceStudy, Title: "Usability test of the rule editor",
		Method: persona.MethodUsabilityTest, Participants: 8, Summary: "Five of eight needed help."}, nil)

	got, err := db.GetEvidence(ctx, f.Org.ID, doc.ID)
	wantNoErr(t, err, "GetEvidence")
	wantEqual(t, got, doc, "document round trip")
	got, err = db.GetEvidence(ctx, f.Org.ID, study.ID)
	wantNoErr(t, err, "GetEvidence study")
	wantEqual(t, got, study, "study round trip")
	if got.File != nil {
		t.Error("a study has a file")
	}
	data, err := db.GetEvidenceFile(ctx, f.Org.ID, doc.ID)
	wantNoErr(t, err, "GetEvidenceFile")
	if !bytes.Equal(data, pdf) {
		t.Fatalf("file changed in the database: %d bytes back, %d stored", len(data), len(pdf))
	}
	_, err = db.GetEvidenceFile(ctx, f.Org.ID, quote.ID)
	wantCode(t, err, persona.CodeNotFound, "GetEvidenceFile of a quote")
	_, err = db.GetEvidence(ctx, f.Org.ID, newID())
	wantCode(t, err, persona.CodeNotFound, "GetEvidence unknown")

	// Listing: newest first, by kind, by tag, a page at a time.
	titles := func(es []persona.Evidence) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Title)
		}
		return out
	}
	all, err := db.ListEvidence(ctx, f.Org.ID, persona.EvidenceFilter{})
	wantNoErr(t, err, "ListEvidence")
	wantEqual(t, titles(all), []string{study.Title, link.Title, quote.Title, doc.Title}, "library newest first")
	quotes, _ := db.ListEvidence(ctx, f.Org.ID, persona.EvidenceFilter{Kind: persona.EvidenceQuote})
	wantEqual(t, titles(quotes), []string{quote.Title}, "quotes")
	tagged, _ := db.ListEvidence(ctx, f.Org.ID, persona.EvidenceFilter{Tag: "month end"})
	wantEqual(t, titles(tagged), []string{quote.Title, doc.Title}, "tagged month end")
	page1, _ := db.ListEvidence(ctx, f.Org.ID, persona.EvidenceFilter{Limit: 2})
	page2, _ := db.ListEvidence(ctx, f.Org.ID, persona.EvidenceFilter{Limit: 2, Before: page1[1].ID})
	wantEqual(t, titles(append(page1, page2...)), titles(all), "two pages")
	tags, err := db.ListEvidenceTags(ctx, f.Org.ID)
	wantNoErr(t, err, "ListEvidenceTags")
	wantEqual(t, tags, []string{"interviews", "month end"}, "tags")

	// Search finds the quote's words, and the text of a text document.
	notes := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceDocument, Title: "Interview notes",
		File: &persona.EvidenceFile{Name: "notes.md", ContentType: "text/markdown; charset=utf-8", Size: 30}},
		[]byte("The reconciliation certificate is signed by finance."))
	hits, err := db.SearchEntries(ctx, f.Org.ID, "every single month", 10)
	wantNoErr(t, err, "SearchEntries quote")
	if len(hits) != 1 || hits[0].ID != quote.ID || hits[0].Kind != persona.EntryEvidence {
		t.Errorf("quote search: %+v", hits)
	}
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "certificate", 10)
	if len(hits) != 1 || hits[0].ID != notes.ID {
		t.Errorf("document text search: %+v", hits)
	}

	// Update rewrites metadata and tags, never kind or file.
	upd := quote
	upd.Title, upd.Tags, upd.Speaker, upd.UpdatedAt = "Month end takes four days", []string{"quotes"}, "Lead", t0.Add(time.Hour)
	upd.Kind, upd.File = persona.EvidenceDocument, &persona.EvidenceFile{Name: "forged.pdf"}
	wantNoErr(t, db.UpdateEvidence(ctx, upd, persona.EvidenceEntry(upd, "")), "UpdateEvidence")
	got, _ = db.GetEvidence(ctx, f.Org.ID, quote.ID)
	if got.Title != upd.Title || got.Speaker != "Lead" || got.Kind != persona.EvidenceQuote || got.File != nil || !got.UpdatedAt.Equal(want(upd.UpdatedAt)) {
		t.Errorf("updated quote: %+v", got)
	}
	tagged, _ = db.ListEvidence(ctx, f.Org.ID, persona.EvidenceFilter{Tag: "month end"})
	wantEqual(t, titles(tagged), []string{doc.Title}, "month end after retagging")
	ghost := upd
	ghost.ID = newID()
	wantCode(t, db.UpdateEvidence(ctx, ghost, persona.SearchEntry{}), persona.CodeNotFound, "UpdateEvidence unknown")

	// Delete takes the file, tags, links and search entry with it.
	p := mustPersona(t, db, f, "")
	mustLink(t, db, f, persona.EvidenceLink{EvidenceID: doc.ID, PersonaID: p.ID, Field: "values.goals", Stance: persona.StanceSupports})
	wantNoErr(t, db.DeleteEvidence(ctx, f.Org.ID, doc.ID), "DeleteEvidence")
	_, err = db.GetEvidence(ctx, f.Org.ID, doc.ID)
	wantCode(t, err, persona.CodeNotFound, "deleted item")
	_, err = db.GetEvidenceFile(ctx, f.Org.ID, doc.ID)
	wantCode(t, err, persona.CodeNotFound, "deleted item's file")
	links, _ := db.ListEvidenceLinks(ctx, f.Org.ID, persona.EvidenceLinkFilter{PersonaID: p.ID})
	wantEqual(t, len(links), 0, "links of a deleted item")
	hits, _ = db.SearchEntries(ctx, f.Org.ID, "interviews report", 10)
	wantEqual(t, len(hits), 0, "search hits of a deleted item")
	wantCode(t, db.DeleteEvidence(ctx, f.Org.ID, doc.ID), persona.CodeNotFound, "DeleteEvidence twice")
	var rows int
	wantNoErr(t, db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_files WHERE org_id = $1 AND evidence_id = $2`, f.Org.ID, doc.ID).Scan(&rows), "count files")
	wantEqual(t, rows, 0, "file rows left")
}

func testEvidenceLinks(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "evidence-links")
	g := mustGroup(t, db, f.Org.ID, "Wards")
	p := mustPersona(t, db, f, g.ID)
	other := mustPersona(t, db, f, "", named("Omar"))
	v := mustVariant(t, db, f, p.ID, persona.VariantContent{CustomerLabel: "Private clinic", Values: persona.Values{"age": 35.0}})
	quote := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceQuote, Title: "Handover", Quote: "I finish handover at 7."}, nil)
	study := mustEvidence(t, db, f, persona.Evidence{Kind: persona.EvidenceStudy, Title: "Shadowing", Method: persona.MethodInterview}, nil)

	onField := mustLink(t, db, f, persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: p.ID, Field: "values.goals",
		Stance: persona.StanceSupports, Excerpt: "finish handover", Page: "p. 3"})
	whole := mustLink(t, db, f, persona.EvidenceLink{EvidenceID: study.ID, PersonaID: p.ID, Stance: persona.StanceSupports})
	onVariant := mustLink(t, db, f, persona.EvidenceLink{EvidenceID: study.ID, PersonaID: p.ID, VariantID: v.ID,
		Field: "values.age", Stance: persona.StanceContradicts})
	onOther := mustLink(t, db, f, persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: other.ID, Field: "values.role", Stance: persona.StanceContradicts})

	got, err := db.GetEvidenceLink(ctx, f.Org.ID, onField.ID)
	wantNoErr(t, err, "GetEvidenceLink")
	wantLink := onField
	wantLink.EvidenceTitle, wantLink.EvidenceKind, wantLink.PersonaName = quote.Title, quote.Kind, p.Name
	wantEqual(t, got, wantLink, "link round trip")

	list := func(flt persona.EvidenceLinkFilter) []string {
		t.Helper()
		ls, err := db.ListEvidenceLinks(ctx, f.Org.ID, flt)
		wantNoErr(t, err, "ListEvidenceLinks")
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	wantEqual(t, list(persona.EvidenceLinkFilter{PersonaID: p.ID}), []string{onField.ID, whole.ID, onVariant.ID}, "persona's links")
	wantEqual(t, list(persona.EvidenceLinkFilter{EvidenceID: quote.ID}), []string{onField.ID, onOther.ID}, "quote's links")
	wantEqual(t, list(persona.EvidenceLinkFilter{VariantID: v.ID}), []string{onVariant.ID}, "variant's links")
	wantEqual(t, list(persona.EvidenceLinkFilter{GroupID: g.ID}), []string{onField.ID, whole.ID, onVariant.ID}, "group's links")
	wantEqual(t, len(list(persona.EvidenceLinkFilter{})), 0, "empty filter")
	e, _ := db.GetEvidence(ctx, f.Org.ID, study.ID)
	wantEqual(t, e.LinkCount, 2, "study's link count")

	// Links must point at live things of the organisation.
	bad := []struct {
		what string
		l    persona.EvidenceLink
		code persona.Code
	}{
		{"unknown item", persona.EvidenceLink{EvidenceID: newID(), PersonaID: p.ID, Stance: persona.StanceSupports}, persona.CodeNotFound},
		{"unknown persona", persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: newID(), Stance: persona.StanceSupports}, persona.CodeNotFound},
		{"variant of another persona", persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: other.ID, VariantID: v.ID, Field: "values.age", Stance: persona.StanceSupports}, persona.CodeNotFound},
		{"bad stance", persona.EvidenceLink{EvidenceID: quote.ID, PersonaID: p.ID, Stance: "maybe"}, persona.CodeInvalid},
	}
	for _, b := range bad {
		b.l.ID, b.l.OrgID, b.l.CreatedAt = newID(), f.Org.ID, t0
		wantCode(t, db.CreateEvidenceLink(ctx, b.l), b.code, "CreateEvidenceLink "+b.what)
	}

	// Trashing the persona hides its links (and their counts); restoring
	// brings them back.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona")
	wantEqual(t, len(list(persona.EvidenceLinkFilter{PersonaID: p.ID})), 0, "links of a trashed persona")
	wantEqual(t, list(persona.EvidenceLinkFilter{EvidenceID: quote.ID}), []string{onOther.ID}, "quote's links with its persona trashed")
	wantEqual(t, len(list(persona.EvidenceLinkFilter{GroupID: g.ID})), 0, "group's links with its persona trashed")
	_, err = db.GetEvidenceLink(ctx, f.Org.ID, onField.ID)
	wantCode(t, err, persona.CodeNotFound, "GetEvidenceLink of a trashed persona")
	wantCode(t, db.DeleteEvidenceLink(ctx, f.Org.ID, onField.ID), persona.CodeNotFound, "DeleteEvidenceLink of a trashed persona")
	e, _ = db.GetEvidence(ctx, f.Org.ID, study.ID)
	wantEqual(t, e.LinkCount, 0, "study's link count with its persona trashed")
	wantCode(t, db.CreateEvidenceLink(ctx, persona.EvidenceLink{ID: newID(), OrgID: f.Org.ID, EvidenceID: quote.ID, PersonaID: p.ID,
		Stance: persona.StanceSupports, CreatedAt: t0}), persona.CodeNotFound, "CreateEvidenceLink to a trashed persona")
	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, p.ID), "RestorePersona")
	wantEqual(t, list(persona.EvidenceLinkFilter{PersonaID: p.ID}), []string{onField.ID, whole.ID, onVariant.ID}, "links after restore")

	// Trashing a variant hides its links only.
	wantNoErr(t, db.TrashVariant(ctx, f.Org.ID, v.ID, f.Owner.ID, t0), "TrashVariant")
	wantEqual(t, list(persona.EvidenceLinkFilter{PersonaID: p.ID}), []string{onField.ID, whole.ID}, "links with the variant trashed")
	wantNoErr(t, db.RestoreVariant(ctx, f.Org.ID, v.ID), "RestoreVariant")
	wantEqual(t, len(list(persona.EvidenceLinkFilter{VariantID: v.ID})), 1, "variant link after restore")

	// Unlink.
	wantNoErr(t, db.DeleteEvidenceLink(ctx, f.Org.ID, whole.ID), "DeleteEvidenceLink")
	wantCode(t, db.DeleteEvidenceLink(ctx, f.Org.ID, whole.ID), persona.CodeNotFound, "DeleteEvidenceLink twice")

	// Purging a variant, then the persona, deletes their links for good.
	count := func() int {
		var n int
		wantNoErr(t, db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_links WHERE org_id = $1 AND persona_id = $2`, f.Org.ID, p.ID).Scan(&n), "count links")
		return n
	}
	wantEqual(t, count(), 2, "stored links before purging")
	wantNoErr(t, db.TrashVariant(ctx, f.Org.ID, v.ID, f.Owner.ID, t0), "TrashVariant again")
	wantNoErr(t, db.PurgeVariant(ctx, f.Org.ID, v.ID), "PurgeVariant")
	wantEqual(t, count(), 1, "stored links after purging the variant")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona again")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, p.ID), "PurgePersona")
	wantEqual(t, count(), 0, "stored links after purging the persona")
	_, err = db.GetEvidence(ctx, f.Org.ID, quote.ID)
	wantNoErr(t, err, "the item outlives the persona")
}

func testEvidenceCrossOrg(t *testing.T, db *DB) {
	ctx := t.Context()
	a := mustOrg(t, db, "evidence-a")
	b := mustOrg(t, db, "evidence-b")
	pa := mustPersona(t, db, a, "")
	pb := mustPersona(t, db, b, "")
	doc := mustEvidence(t, db, a, persona.Evidence{Kind: persona.EvidenceDocument, Title: "Secret deck", Tags: []string{"secret"},
		File: &persona.EvidenceFile{Name: "deck.pdf", ContentType: "application/pdf", Size: 8}}, []byte("%PDF-1.4"))
	la := mustLink(t, db, a, persona.EvidenceLink{EvidenceID: doc.ID, PersonaID: pa.ID, Stance: persona.StanceSupports})

	_, err := db.GetEvidence(ctx, b.Org.ID, doc.ID)
	wantCode(t, err, persona.CodeNotFound, "GetEvidence from another organisation")
	_, err = db.GetEvidenceFile(ctx, b.Org.ID, doc.ID)
	wantCode(t, err, persona.CodeNotFound, "GetEvidenceFile from another organisation")
	list, _ := db.ListEvidence(ctx, b.Org.ID, persona.EvidenceFilter{})
	wantEqual(t, len(list), 0, "other organisation's library")
	tags, _ := db.ListEvidenceTags(ctx, b.Org.ID)
	wantEqual(t, len(tags), 0, "other organisation's tags")
	links, _ := db.ListEvidenceLinks(ctx, b.Org.ID, persona.EvidenceLinkFilter{EvidenceID: doc.ID})
	wantEqual(t, len(links), 0, "links listed from another organisation")
	_, err = db.GetEvidenceLink(ctx, b.Org.ID, la.ID)
	wantCode(t, err, persona.CodeNotFound, "GetEvidenceLink from another organisation")
	wantCode(t, db.DeleteEvidenceLink(ctx, b.Org.ID, la.ID), persona.CodeNotFound, "DeleteEvidenceLink from another organisation")
	wantCode(t, db.DeleteEvidence(ctx, b.Org.ID, doc.ID), persona.CodeNotFound, "DeleteEvidence from another organisation")
	upd := doc
	upd.OrgID, upd.Title = b.Org.ID, "Hijacked"
	wantCode(t, db.UpdateEvidence(ctx, upd, persona.SearchEntry{}), persona.CodeNotFound, "UpdateEvidence from another organisation")
	// B cannot link A's item to its persona, nor its item to A's persona.
	wantCode(t, db.CreateEvidenceLink(ctx, persona.EvidenceLink{ID: newID(), OrgID: b.Org.ID, EvidenceID: doc.ID, PersonaID: pb.ID,
		Stance: persona.StanceSupports, CreatedAt: t0}), persona.CodeNotFound, "link another organisation's item")
	bdoc := mustEvidence(t, db, b, persona.Evidence{Kind: persona.EvidenceQuote, Title: "B's quote", Quote: "q"}, nil)
	wantCode(t, db.CreateEvidenceLink(ctx, persona.EvidenceLink{ID: newID(), OrgID: b.Org.ID, EvidenceID: bdoc.ID, PersonaID: pa.ID,
		Stance: persona.StanceSupports, CreatedAt: t0}), persona.CodeNotFound, "link to another organisation's persona")
	hits, _ := db.SearchEntries(ctx, b.Org.ID, "secret deck", 10)
	wantEqual(t, len(hits), 0, "search in another organisation")
	got, err := db.GetEvidence(ctx, a.Org.ID, doc.ID)
	wantNoErr(t, err, "A's item is intact")
	wantEqual(t, got.Title, "Secret deck", "A's title")
}
