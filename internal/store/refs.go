package store

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// PersonasMentioning returns the organisation's live personas whose values
// hold one of ids as a JSON string, in ID order. A reference field stores
// the target's ID as a JSON string, so every persona referencing one of ids
// is among them; the caller checks which really do. The text match reads
// each row's stored values without decoding them, which is what makes the
// backlinks of a persona page cheap.
func (s *DB) PersonasMentioning(ctx context.Context, orgID string, ids []string) ([]persona.Persona, error) {
	if len(ids) == 0 {
		return []persona.Persona{}, nil
	}
	args := []any{orgID}
	var or []string
	for _, id := range ids {
		args = append(args, "%"+likeEscape(`"`+id+`"`)+"%")
		or = append(or, `CAST(p.field_values AS TEXT) LIKE `+ph(len(args))+` ESCAPE '\'`)
	}
	rows, err := s.q().QueryContext(ctx, personaSelect+`
		WHERE p.org_id = $1 AND p.deleted_at IS NULL AND (`+strings.Join(or, " OR ")+`) ORDER BY p.id`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPersona)
}

// likeEscape escapes LIKE's wildcards (and the escape character itself).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
