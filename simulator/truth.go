package simulator

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

var truthHeader = []string{"platform", "id", "handle", "tier", "archetype", "followers", "true_er", "is_authentic",
	"niche", "language", "reply_rate", "reply_hours", "settled_posts", "vanished", "er_basis", "er_by_followers", "private",
	"audience_real", "audience_fake", "audience_inactive"}

// WriteTruthCSV writes one row per creator of each platform (all platforms
// when platforms is empty), after a header row. The columns are Truth's
// fields; er_basis, er_by_followers and private came after vanished, then
// the audience mix (audience_real, audience_fake, audience_inactive),
// so that readers of the first fourteen columns keep working.
func WriteTruthCSV(w io.Writer, p *Population, platforms []string) error {
	if len(platforms) == 0 {
		platforms = p.Platforms()
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(truthHeader); err != nil {
		return fmt.Errorf("writing truth header: %w", err)
	}
	for _, pl := range platforms {
		if p.plats[pl] == nil {
			return fmt.Errorf("writing truth: unknown platform %q", pl)
		}
		for i := range p.size {
			t := p.Creator(pl, i)
			row := []string{t.Platform, t.ID, t.Handle, t.Tier, t.Archetype,
				strconv.FormatInt(t.Followers, 10), strconv.FormatFloat(t.TrueER, 'f', 4, 64), strconv.FormatBool(t.IsAuthentic),
				t.Niche, t.Language, strconv.FormatFloat(t.ReplyRate, 'f', 3, 64), strconv.FormatFloat(t.ReplyHours, 'f', 2, 64),
				strconv.Itoa(t.SettledPosts), strconv.FormatBool(t.Vanished),
				t.ERBasis, strconv.FormatFloat(t.ERByFollowers, 'f', 4, 64), strconv.FormatBool(t.Private),
				strconv.FormatFloat(t.Audience.Real, 'f', 4, 64), strconv.FormatFloat(t.Audience.Fake, 'f', 4, 64),
				strconv.FormatFloat(t.Audience.Inactive, 'f', 4, 64)}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("writing truth row: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing truth: %w", err)
	}
	return nil
}

// WriteTruthJSON writes a JSON array of Truth objects, one per creator of
// each platform (all platforms when platforms is empty), streaming.
func WriteTruthJSON(w io.Writer, p *Population, platforms []string) error {
	if len(platforms) == 0 {
		platforms = p.Platforms()
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return fmt.Errorf("writing truth: %w", err)
	}
	first := true
	for _, pl := range platforms {
		if p.plats[pl] == nil {
			return fmt.Errorf("writing truth: unknown platform %q", pl)
		}
		for i := range p.size {
			b, err := json.Marshal(p.Creator(pl, i))
			if err != nil {
				return fmt.Errorf("encoding truth: %w", err)
			}
			sep := ",\n"
			if first {
				sep, first = "\n", false
			}
			if _, err := io.WriteString(w, sep); err != nil {
				return fmt.Errorf("writing truth: %w", err)
			}
			if _, err := w.Write(b); err != nil {
				return fmt.Errorf("writing truth: %w", err)
			}
		}
	}
	if _, err := io.WriteString(w, "\n]\n"); err != nil {
		return fmt.Errorf("writing truth: %w", err)
	}
	return nil
}
