package simulator

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// indexOf finds a creator's population index from its truth.
func indexOf(t *testing.T, p *Population, platform string, tr Truth) int {
	t.Helper()
	for i := range p.Size() {
		if p.Creator(platform, i).ID == tr.ID {
			return i
		}
	}
	t.Fatalf("%s not in the population", tr.ID)
	return -1
}

// Follower lists carry per-follower ground truth: bought-followers creators'
// followers are mostly fake, organic creators have a realistic share of
// inactive accounts and few fakes, and the list is the same for the same seed.
func TestFollowerTruth(t *testing.T) {
	p := newSim(t, Options{Seed: 42, Creators: 400}).Population()
	q := newSim(t, Options{Seed: 42, Creators: 400}).Population()
	for _, platform := range []string{"bluesky", "mastodon"} {
		share := func(arch string) (fake, inactive float64, truth AudienceTruth) {
			tr := creatorWith(t, p, platform, func(tr Truth) bool {
				return tr.Archetype == arch && !tr.Vanished && tr.Followers >= 1000 && tr.Followers < 10000
			})
			i := indexOf(t, p, platform, tr)
			fs := p.Followers(platform, i, 0, 400)
			if len(fs) != 400 {
				t.Fatalf("%s %s: %d followers served", platform, arch, len(fs))
			}
			again := q.Followers(platform, i, 0, 400)
			seen := map[string]bool{}
			var nf, ni int
			for k, f := range fs {
				if f != again[k] {
					t.Fatalf("%s: follower %d differs between two populations of one seed: %+v vs %+v", platform, k, f, again[k])
				}
				if seen[f.ID] {
					t.Fatalf("%s: follower %s listed twice", platform, f.ID)
				}
				seen[f.ID] = true
				if c, ok := p.AccountClass(platform, f.ID); !ok || c != f.Class {
					t.Fatalf("%s: AccountClass(%s) = %q %v, list says %q", platform, f.ID, c, ok, f.Class)
				}
				switch f.Class {
				case ClassFake:
					nf++
				case ClassInactive:
					ni++
				}
			}
			return float64(nf) / 400, float64(ni) / 400, tr.Audience
		}
		fake, inactive, tr := share(ArchOrganic)
		if fake > 0.12 || inactive < 0.05 || inactive > 0.4 || tr.Real < 0.6 {
			t.Errorf("%s organic: %.2f fake, %.2f inactive (truth %+v)", platform, fake, inactive, tr)
		}
		if d := (1 - fake - inactive) - tr.Real; d > 0.08 || d < -0.08 {
			t.Errorf("%s organic: list share real %.2f vs truth %.2f", platform, 1-fake-inactive, tr.Real)
		}
		fake, _, tr = share(ArchBoughtFollowers)
		if fake < 0.5 || tr.Fake < 0.5 {
			t.Errorf("%s bought followers: %.2f fake in the list (truth %+v)", platform, fake, tr)
		}
	}
	if _, ok := p.AccountClass("bluesky", "did:plc:nope"); ok {
		t.Error("an unknown id has a class")
	}
}

// getFollowers pages through the whole list (100 a page), without repeats,
// and its length is the profile's followersCount; the profiles of mass-follow
// accounts look the part (no posts, following hundreds to thousands).
func TestBlueskyGetFollowers(t *testing.T) {
	s := newSim(t, Options{Seed: 42, Creators: 400})
	p := s.Population()
	tr := creatorWith(t, p, "bluesky", func(tr Truth) bool {
		return tr.Archetype == ArchBoughtFollowers && !tr.Vanished && tr.Followers < 3000
	})
	h := s.Handler()
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	var ids []string
	for {
		target := "/bluesky/xrpc/app.bsky.graph.getFollowers?limit=100&actor=" + q(tr.ID)
		if cursor != "" {
			target += "&cursor=" + q(cursor)
		}
		r := get(h, target)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", target, r.status, r.body)
		}
		o := r.obj(t)
		fs, _ := o["followers"].([]any)
		if len(fs) > 100 {
			t.Fatalf("page of %d", len(fs))
		}
		for _, f := range fs {
			did := str(f, "did")
			if seen[did] {
				t.Fatalf("follower %s twice", did)
			}
			seen[did] = true
			ids = append(ids, did)
			if _, has := f.(map[string]any)["followersCount"]; has {
				t.Fatal("a profileView in a follower list carries counts; only getProfiles does")
			}
		}
		pages++
		cursor = str(o, "cursor")
		if cursor == "" {
			break
		}
	}
	prof := get(h, "/bluesky/xrpc/app.bsky.actor.getProfile?actor="+q(tr.ID)).obj(t)
	if n := int(num(prof, "followersCount")); n != len(ids) {
		t.Errorf("listed %d followers over %d pages, profile says %d", len(ids), pages, n)
	}
	// Counts come from getProfiles, 25 at a time.
	target := "/bluesky/xrpc/app.bsky.actor.getProfiles?"
	for _, id := range ids[:25] {
		target += "actors=" + q(id) + "&"
	}
	massFollow := 0
	for _, pr := range get(h, target).obj(t)["profiles"].([]any) {
		c, _ := p.AccountClass("bluesky", str(pr, "did"))
		if c == ClassFake {
			if num(pr, "postsCount") > 2 || num(pr, "followsCount") < 700 {
				t.Errorf("fake follower %s: posts %v follows %v", str(pr, "handle"), num(pr, "postsCount"), num(pr, "followsCount"))
			}
			massFollow++
		}
	}
	if massFollow < 10 {
		t.Errorf("%d of 25 followers of a bought-followers creator are mass-follow accounts", massFollow)
	}
}

// Mastodon's followers list: 40 full accounts a page, max_id in the Link
// header; an account that hides its collections shows an empty list.
func TestMastodonFollowers(t *testing.T) {
	s := newSim(t, Options{Seed: 42, Creators: 400})
	p := s.Population()
	shown, hidden := 0, 0
	for i := range 60 {
		tr := p.Creator("mastodon", i)
		if tr.Vanished || tr.Followers < 100 {
			continue
		}
		r := get(s.Handler(), "/mastodon/api/v1/accounts/"+tr.ID+"/followers")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		arr := r.arr(t)
		if len(arr) == 0 {
			hidden++
			continue
		}
		shown++
		if len(arr) != 40 {
			t.Fatalf("%d accounts on the first page", len(arr))
		}
		if _, ok := arr[0].(map[string]any)["statuses_count"]; !ok {
			t.Error("a follower is not a full account")
		}
		link := r.header.Get("Link")
		if !strings.Contains(link, `rel="next"`) || !strings.Contains(link, "max_id=") {
			t.Errorf("Link %q", link)
		}
		next := strings.TrimPrefix(strings.Split(link, ">")[0], "<")
		u, err := url.Parse(next)
		if err != nil {
			t.Fatal(err)
		}
		r2 := get(s.Handler(), u.Path+"?"+u.RawQuery)
		page2 := r2.arr(t)
		if len(page2) == 0 || str(page2[0], "id") == str(arr[0], "id") || str(page2[0], "id") == str(arr[39], "id") {
			t.Errorf("page 2 (%s) does not continue page 1", next)
		}
	}
	if shown == 0 {
		t.Fatalf("no creator showed its followers (%d hid them)", hidden)
	}
}

// BenchmarkFollowersPage serves a 100-follower page from the start and from
// deep inside a large creator's list: the work and the allocations per page
// do not depend on the position or on the list's length (nothing is stored).
func BenchmarkFollowersPage(b *testing.B) {
	s := newSim(b, Options{Seed: 42, Creators: 2000})
	p := s.Population()
	big := creatorWith(b, p, "bluesky", func(tr Truth) bool { return tr.Followers > 1_000_000 && !tr.Vanished })
	i := -1
	for j := range p.Size() {
		if p.Creator("bluesky", j).ID == big.ID {
			i = j
		}
	}
	for _, from := range []int{0, 900_000} {
		b.Run("from="+strconv.Itoa(from), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if fs := p.Followers("bluesky", i, from, 100); len(fs) != 100 {
					b.Fatalf("%d followers", len(fs))
				}
			}
		})
	}
}

// Commenter profiles: an account without an uploaded picture shows the
// platform's real default picture (TikTok's musically-maliva-obj
// 1594805258216454, Instagram's 44884218_… file with the
// "anonymous_profile_pic" cache key), every other account its own; pod bots
// never upload one, most mass-follow accounts do not, few fans lack one.
func TestCommenterDefaultPictures(t *testing.T) {
	s := newSim(t, Options{Seed: 42, Creators: 300})
	p := s.Population()
	tts, igs := s.sites["tiktok"], s.sites["instagram"]
	t0, g0 := &tt{site: tts, media: hashv(tts.key, tagMedia)}, &ig{site: igs}
	type tally struct{ n, def int }
	for _, platform := range []string{"tiktok", "instagram"} {
		got := map[string]*tally{}
		for idx := 0; idx < p.audience+2*p.extraPool(); idx += 7 {
			a := p.account(p.plats[platform], acctRef{kind: kindAudience, idx: idx})
			var def bool
			switch platform {
			case "tiktok":
				u := t0.commentUser(a)
				def = u.AvatarThumb.URI == "musically-maliva-obj/1594805258216454"
				if len(u.AvatarThumb.URLList) != 1 || strings.Contains(u.AvatarThumb.URLList[0], "1594805258216454") != def {
					t.Fatalf("tiktok %s: avatar uri %q and url %q disagree", a.user, u.AvatarThumb.URI, u.AvatarThumb.URLList)
				}
			case "instagram":
				u := g0.commentUser(a, false).ProfilePicURL
				def = strings.Contains(u, "/44884218_345707102882519_2446069589734326272_n.jpg?")
				if strings.Contains(u, "ig_cache_key=YW5vbnltb3VzX3Byb2ZpbGVfcGlj") != def {
					t.Fatalf("instagram %s: picture %q: file and cache key disagree", a.user, u)
				}
			}
			if def != a.noAvatar {
				t.Fatalf("%s %s: default picture %v, but noAvatar %v", platform, a.user, def, a.noAvatar)
			}
			k := a.arch
			if got[k] == nil {
				got[k] = &tally{}
			}
			got[k].n++
			if def {
				got[k].def++
			}
		}
		share := func(k string) float64 { return float64(got[k].def) / float64(max(1, got[k].n)) }
		if got[archBot] == nil || share(archBot) != 1 || share(archFan) > 0.1 || share(archFake) < 0.6 || got[archFan].n < 100 || got[archFake].n < 100 {
			t.Errorf("%s: default-picture shares: bots %.2f, fans %.2f, mass-follow %.2f", platform, share(archBot), share(archFan), share(archFake))
		}
	}
}

// The low-effort comments that come with bought followers are written by
// the bought (mass-follow, ground truth fake) accounts, not by real fans.
func TestBoughtCommentsComeFromBoughtAccounts(t *testing.T) {
	p := newSim(t, Options{Seed: 42, Creators: 300}).Population()
	now := testNow.UnixMilli()
	for _, platform := range []string{"youtube", "tiktok", "instagram"} {
		pl := p.plats[platform]
		tr := creatorWith(t, p, platform, func(tr Truth) bool { return tr.Archetype == ArchBoughtFollowers && !tr.Vanished })
		a := p.account(pl, acctRef{kind: kindCreator, idx: indexOf(t, p, platform, tr)})
		kinds := map[int]map[string]int{}
		a.eachSlot(now, ^uint64(0), func(s *slot) bool {
			if s.kind != slotPost {
				return true
			}
			for k := range min(s.comments, 200) {
				d := s.drawConvo(int64(k), 1)
				if kinds[d.kind] == nil {
					kinds[d.kind] = map[string]int{}
				}
				kinds[d.kind][p.account(pl, d.author).class()]++
			}
			return true
		})
		if b := kinds[cBotlike]; b[ClassFake] == 0 || b[ClassReal]+b[ClassInactive] != 0 {
			t.Errorf("%s: bought comments by class %v, want all fake", platform, b)
		}
		if f := kinds[cFan]; f[ClassReal] == 0 || f[ClassFake]+f[ClassInactive] != 0 {
			t.Errorf("%s: fans' comments by class %v, want all real", platform, f)
		}
	}
}
