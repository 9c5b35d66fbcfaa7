// Package streamtest generates Jetstream traffic with its ground truth, for
// the stream package's tests and benchmarks.
package streamtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Truth is what an exact consumer must end up with.
type Truth struct {
	Likes, Reposts, Replies map[string]int64  // by post URI
	Posts                   map[string]string // post URI → author DID
	Answers                 int               // creators' replies to fans
}

// Traffic is generated events, in time order.
type Traffic struct {
	Lines    [][]byte
	Times    []int64
	Creators []string
	Truth    Truth
}

// Config shapes the traffic.
type Config struct {
	Seed       uint64
	Creators   int
	Fans       int
	Events     int
	Start      time.Time
	Step       time.Duration // between events (default 1 ms)
	Duplicates float64       // share of events sent twice
}

type ev struct {
	DID    string  `json:"did"`
	TimeUS int64   `json:"time_us"`
	Kind   string  `json:"kind"`
	Commit *commit `json:"commit,omitempty"`
}

type commit struct {
	Rev        string `json:"rev"`
	Operation  string `json:"operation"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	Record     any    `json:"record,omitempty"`
	CID        string `json:"cid,omitempty"`
}

type ref struct {
	CID string `json:"cid"`
	URI string `json:"uri"`
}

type post struct {
	Type      string   `json:"$type"`
	CreatedAt string   `json:"createdAt"`
	Text      string   `json:"text"`
	Langs     []string `json:"langs"`
	Reply     *struct {
		Parent ref `json:"parent"`
		Root   ref `json:"root"`
	} `json:"reply,omitempty"`
}

type subj struct {
	Type      string `json:"$type"`
	CreatedAt string `json:"createdAt"`
	Subject   any    `json:"subject"`
}

// Generate builds traffic: creators post, fans like, repost, reply and
// follow, creators answer some replies, fans delete some likes; a share of
// events is delivered twice.
func Generate(cfg Config) Traffic {
	if cfg.Step <= 0 {
		cfg.Step = time.Millisecond
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 7))
	tr := Traffic{Truth: Truth{Likes: map[string]int64{}, Reposts: map[string]int64{}, Replies: map[string]int64{}, Posts: map[string]string{}}}
	for i := range cfg.Creators {
		tr.Creators = append(tr.Creators, fmt.Sprintf("did:plc:creator%06d", i))
	}
	fan := func() string { return fmt.Sprintf("did:plc:fan%07d", r.IntN(cfg.Fans)) }
	type like struct{ did, rkey, subject string }
	var posts []string
	var likes []like
	var replies []string // fan reply URIs under creators' posts
	t := cfg.Start.UnixMicro()
	emit := func(e ev) {
		b, _ := json.Marshal(e)
		tr.Lines = append(tr.Lines, b)
		tr.Times = append(tr.Times, e.TimeUS)
		if r.Float64() < cfg.Duplicates {
			tr.Lines = append(tr.Lines, b)
			tr.Times = append(tr.Times, e.TimeUS)
		}
	}
	for len(tr.Lines) < cfg.Events {
		t += cfg.Step.Microseconds()
		// Record keys grow with time, as TIDs do (a timestamp in base32);
		// unique across traffic generated for different times.
		rkey := fmt.Sprintf("3k%013d", t)
		created := time.UnixMicro(t).UTC().Format(time.RFC3339Nano)
		x := r.Float64()
		switch {
		case len(posts) == 0 || x < 0.15: // a creator posts
			did := tr.Creators[r.IntN(len(tr.Creators))]
			uri := "at://" + did + "/app.bsky.feed.post/" + rkey
			posts = append(posts, uri)
			tr.Truth.Posts[uri] = did
			emit(ev{DID: did, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "create", Collection: "app.bsky.feed.post", RKey: rkey,
				Record: post{Type: "app.bsky.feed.post", CreatedAt: created, Text: "post " + rkey, Langs: []string{"en"}}, CID: "bafy" + rkey}})
		case x < 0.70: // a like
			p, f := posts[r.IntN(len(posts))], fan()
			likes = append(likes, like{f, rkey, p})
			tr.Truth.Likes[p]++
			emit(ev{DID: f, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "create", Collection: "app.bsky.feed.like", RKey: rkey,
				Record: subj{Type: "app.bsky.feed.like", CreatedAt: created, Subject: ref{URI: p, CID: "bafy"}}, CID: "bafy" + rkey}})
		case x < 0.78: // a repost
			p, f := posts[r.IntN(len(posts))], fan()
			tr.Truth.Reposts[p]++
			emit(ev{DID: f, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "create", Collection: "app.bsky.feed.repost", RKey: rkey,
				Record: subj{Type: "app.bsky.feed.repost", CreatedAt: created, Subject: ref{URI: p, CID: "bafy"}}, CID: "bafy" + rkey}})
		case x < 0.86: // a fan replies
			p, f := posts[r.IntN(len(posts))], fan()
			uri := "at://" + f + "/app.bsky.feed.post/" + rkey
			replies = append(replies, uri+" "+p)
			tr.Truth.Replies[p]++
			rec := post{Type: "app.bsky.feed.post", CreatedAt: created, Text: "reply " + rkey}
			rec.Reply = &struct {
				Parent ref `json:"parent"`
				Root   ref `json:"root"`
			}{ref{"bafy", p}, ref{"bafy", p}}
			emit(ev{DID: f, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "create", Collection: "app.bsky.feed.post", RKey: rkey, Record: rec, CID: "bafy" + rkey}})
		case x < 0.90 && len(replies) > 0: // the creator answers a reply
			var rep, root string
			fmt.Sscan(replies[r.IntN(len(replies))], &rep, &root)
			did := tr.Truth.Posts[root]
			tr.Truth.Answers++
			rec := post{Type: "app.bsky.feed.post", CreatedAt: created, Text: "thanks " + rkey}
			rec.Reply = &struct {
				Parent ref `json:"parent"`
				Root   ref `json:"root"`
			}{ref{"bafy", rep}, ref{"bafy", root}}
			emit(ev{DID: did, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "create", Collection: "app.bsky.feed.post", RKey: rkey, Record: rec, CID: "bafy" + rkey}})
		case x < 0.95 && len(likes) > 0: // a like is deleted
			i := r.IntN(len(likes))
			l := likes[i]
			likes[i] = likes[len(likes)-1]
			likes = likes[:len(likes)-1]
			tr.Truth.Likes[l.subject]--
			emit(ev{DID: l.did, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "delete", Collection: "app.bsky.feed.like", RKey: l.rkey}})
		default: // a follow
			f := fan()
			emit(ev{DID: f, TimeUS: t, Kind: "commit", Commit: &commit{Rev: rkey, Operation: "create", Collection: "app.bsky.graph.follow", RKey: rkey,
				Record: subj{Type: "app.bsky.graph.follow", CreatedAt: created, Subject: tr.Creators[r.IntN(len(tr.Creators))]}, CID: "bafy" + rkey}})
		}
	}
	return tr
}
