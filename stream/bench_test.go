package stream

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream/jetstreamtest"
	"github.com/nanoscout/nanoscout/store/sqlite"
	"github.com/nanoscout/nanoscout/stream/streamtest"
)

// BenchmarkIngest parses and applies generated traffic (2,000 creators,
// 100,000 fans, 200,000 events, 1 % delivered twice) into the embedded
// SQLite store in batches of the default size (50,000 events) with the
// cursor. Run it with -cpu 1: events/cpu-s is events per second of the
// process's CPU time (user + system, so SQLite's writes and the garbage
// collector count), the one-core figure a shared machine's wall time cannot
// give. It also reports the traffic's mix (percent of events by
// collection, deletes apart) and stored% (events that added rows to a
// batch: nearly everything here concerns the 2,000 creators, harder than
// the network, where most events concern accounts that never become
// candidates and are dropped before any store work).
func BenchmarkIngest(b *testing.B) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tr := streamtest.Generate(streamtest.Config{Seed: 2, Creators: 2000, Fans: 100_000, Events: 200_000, Start: start, Duplicates: 0.01})
	now := time.UnixMicro(tr.Times[len(tr.Times)-1])
	b.ResetTimer()
	var total int
	var elapsed, cpu time.Duration
	var stats Stats
	for range b.N {
		b.StopTimer()
		st, err := sqlite.Open(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		agg, err := NewAggregator(context.Background(), st, AggregatorConfig{}, now)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime()
		for _, l := range tr.Lines {
			ev, err := jetstream.Parse(l, 0)
			if err != nil {
				b.Fatal(err)
			}
			if err := agg.Apply(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
		if err := agg.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		cpu += cpuTime() - c0
		total += len(tr.Lines)
		b.StopTimer()
		stats = agg.Snapshot()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(total)/cpu.Seconds(), "events/cpu-s")
	reportMix(b, tr.Lines, stats)
}

// reportMix reports the share of events by collection (deletes apart) and
// of events that added to a batch.
func reportMix(b *testing.B, lines [][]byte, s Stats) {
	n := map[string]float64{}
	for _, l := range lines {
		ev, err := jetstream.Parse(l, 0)
		if err != nil || ev.Commit == nil {
			n["other"]++
			continue
		}
		if ev.Commit.Operation == jetstream.OpDelete {
			n["deletes"]++
			continue
		}
		n[strings.TrimPrefix(strings.TrimPrefix(ev.Commit.Collection, "app.bsky.feed."), "app.bsky.graph.")]++
	}
	all := float64(len(lines))
	for _, k := range []string{"like", "post", "repost", "follow", "deletes"} {
		b.ReportMetric(100*n[k]/all, k+"%")
	}
	b.ReportMetric(100*float64(s.Stored)/all, "stored%")
}

// cpuTime is the process's user+system CPU time: on a shared machine,
// events per CPU-second is the one-core figure wall time cannot give.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMemoryFlat streams 10 M events of a rolling population through
// the aggregator into the store (2 h retention, 1 h pending window, an
// event every 40 ms of stream time, so the windows turn over many times)
// and reports the live Go heap after a GC at 1 M, 5 M and 10 M events,
// with the process's resident memory (which includes SQLite's page cache,
// allocated outside the Go heap and capped by cache_size) and the CPU
// rate over the whole run. Flat means the pending and tracked sets are
// bounded by the windows, not by the number of events. It takes several
// minutes: run it alone, -benchtime 1x -cpu 1.
func BenchmarkMemoryFlat(b *testing.B) {
	const perRound, rounds = 250_000, 40
	for range b.N {
		st, err := sqlite.Open(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		agg, err := NewAggregator(context.Background(), st, AggregatorConfig{Retention: 2 * time.Hour, PendingWindow: time.Hour}, start)
		if err != nil {
			b.Fatal(err)
		}
		var cpu time.Duration
		heap, rss := map[int]float64{}, map[int]float64{}
		for round := range rounds {
			// A new population every round (as the network's active set turns over).
			tr := streamtest.Generate(streamtest.Config{Seed: uint64(round + 10), Creators: 2000, Fans: 50_000, Events: perRound,
				Start: start.Add(time.Duration(round) * perRound * 40 * time.Millisecond), Step: 40 * time.Millisecond})
			c0 := cpuTime()
			for _, l := range tr.Lines {
				ev, _ := jetstream.Parse(l, 0)
				if err := agg.Apply(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			}
			if err := agg.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - c0
			if m := (round + 1) * perRound / 1_000_000; (round+1)*perRound%1_000_000 == 0 && (m == 1 || m == 5 || m == 10) {
				tr = streamtest.Traffic{}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heap[m], rss[m] = float64(ms.HeapAlloc)/(1<<20), residentMB()
			}
		}
		s := agg.Snapshot()
		for _, m := range []int{1, 5, 10} {
			b.ReportMetric(heap[m], fmt.Sprintf("heapMB@%dM", m))
			b.ReportMetric(rss[m], fmt.Sprintf("rssMB@%dM", m))
		}
		b.ReportMetric(float64(s.Tracked), "tracked")
		b.ReportMetric(float64(s.Pending), "pending")
		b.ReportMetric(float64(rounds*perRound)/cpu.Seconds(), "events/cpu-s")
		st.Close()
	}
}

// residentMB is the process's resident set size (VmRSS), 0 where /proc is
// not there.
func residentMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkCatchUp replays 10 minutes of traffic at 1,000 events/s that a
// consumer missed (a disconnect) over a real WebSocket and reports how fast
// it caught up, checking no event is lost against the server's count.
func BenchmarkCatchUp(b *testing.B) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tr := streamtest.Generate(streamtest.Config{Seed: 3, Creators: 2000, Fans: 50_000, Events: 600_000, Start: start, Step: time.Millisecond})
	srv := jetstreamtest.New(tr.Lines)
	defer srv.Close()
	last := tr.Times[len(tr.Times)-1]
	for range b.N {
		st, err := sqlite.Open(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		before := srv.Sent.Load()
		c, err := NewConsumer(context.Background(), st, ConsumerConfig{
			Jetstream:   jetstream.Options{Hosts: []string{srv.URL()}},
			StartCursor: tr.Times[0],
			Now:         func() time.Time { return time.UnixMicro(last) },
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		t0 := time.Now()
		go func() { done <- c.Run(ctx) }()
		for c.Aggregator().Cursor() < last {
			time.Sleep(2 * time.Millisecond)
		}
		el := time.Since(t0)
		cancel()
		<-done
		p := c.Progress()
		var got int64
		for _, n := range p.Events {
			got += n
		}
		if sent := srv.Sent.Load() - before; got != sent || got != int64(len(tr.Lines)) {
			b.Fatalf("received %d events, server sent %d, log has %d", got, sent, len(tr.Lines))
		}
		b.ReportMetric(el.Seconds(), "s/10min-backlog")
		b.ReportMetric(float64(got)/el.Seconds(), "events/s")
		st.Close()
	}
}
