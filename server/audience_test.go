package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// The audience quality is a filter and a column of the API and the
// discover page, and the creator page shows it with its trend over time.
func TestAudienceQualityFilterColumnAndTrend(t *testing.T) {
	e := newEnv(t, 6)
	ctx := t.Context()
	recs := e.top(store.TopQuery{Limit: 6})
	good, bad := recs[0], recs[1]
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i, r := range []store.CreatorRecord{good, bad} {
		share := []float64{0.74, 0.22}[i]
		q := &model.AudienceQuality{Source: model.AudienceFollowers, Sampled: 100, Judged: 100, Share: share, Low: share - 0.07,
			High: share + 0.07, Fake: 0.9 - share, Inactive: 0.1, MassFollow: 5, SampledAt: at}
		sc := *r.Score
		sc.Audience = q
		if err := e.st.SaveCreator(ctx, store.CreatorUpdate{Creator: r.Creator, Score: &sc, At: r.LastCollected}); err != nil {
			t.Fatal(err)
		}
		for w := range 3 { // three weekly samples, the last one judged as above
			s := model.AudienceSample{CreatorKey: r.Key, Source: model.AudienceFollowers, SampledAt: at.AddDate(0, 0, -7*w)}
			qq := *q
			qq.SampledAt, qq.Share = s.SampledAt, share+0.01*float64(w)
			s.Quality = &qq
			if err := e.st.SaveAudience(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	var page struct {
		Items []struct {
			Key string `json:"key"`
		} `json:"items"`
	}
	e.json(http.MethodGet, "/api/creators?min_audience=0.5&sort=audience", nil, http.StatusOK, &page)
	if len(page.Items) != 1 || page.Items[0].Key != good.Key {
		t.Errorf("min_audience 0.5: %+v, want only %s", page.Items, good.Key)
	}
	if code, body := e.status(http.MethodGet, "/api/creators?min_audience=2", nil); code != http.StatusBadRequest {
		t.Errorf("min_audience 2: %d %s", code, body)
	}
	var d creatorData
	e.json(http.MethodGet, "/api/creators/"+bad.Key, nil, http.StatusOK, &d)
	if len(d.Audience) != 3 || d.Audience[0].Share != 0.22 || !d.Audience[0].SampledAt.After(d.Audience[1].SampledAt) {
		t.Errorf("trend %+v", d.Audience)
	}
	resp := e.do(http.MethodGet, "/creators/"+bad.Key, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Audience quality over time", "22% of 100 followers", "15%–29%"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("creator page lacks %q", want)
		}
	}
	resp = e.do(http.MethodGet, "/discover?tier=&sort=audience", nil)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "74% real · 67%–81%") || !strings.Contains(string(b), `name="min_audience"`) {
		t.Errorf("discover page lacks the audience column or filter")
	}
}
