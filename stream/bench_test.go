package stream

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream"
	"github.com/nanoscout/nanoscout/collectors/bluesky/jetstream/jetstreamtest"
	"github.com/nanoscout/nanoscout/store/sqlite"
	"github.com/nanoscout/nanoscout/stream/streamtest"
)

// BenchmarkIngest parses and applies generated traffic (2,000 creators,
// 100,000 fans) into the embedded SQLite store: events/s on one core
// (run with -cpu 1), batches of 20,000 with the cursor.
func BenchmarkIngest(b *testing.B) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tr := streamtest.Generate(streamtest.Config{Seed: 2, Creators: 2000, Fans: 100_000, Events: 200_000, Start: start, Duplicates: 0.01})
	now := time.UnixMicro(tr.Times[len(tr.Times)-1])
	b.ResetTimer()
	var total int
	var elapsed, cpu time.Duration
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
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(total)/cpu.Seconds(), "events/cpu-s")
}

// cpuTime is the process's user+system CPU time: on a shared machine,
// events per CPU-second is the one-core figure wall time cannot give.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMemoryFlat streams many events of a rolling population through
// the aggregator (store writes included) and reports the heap after each
// quarter: flat means the pending and tracked sets are bounded by the
// windows, not by the number of events.
func BenchmarkMemoryFlat(b *testing.B) {
	const perRound = 250_000
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
		var heap []float64
		for round := range 8 {
			// A new population every round (as the network's active set turns over).
			tr := streamtest.Generate(streamtest.Config{Seed: uint64(round + 10), Creators: 2000, Fans: 50_000, Events: perRound,
				Start: start.Add(time.Duration(round) * perRound * 40 * time.Millisecond), Step: 40 * time.Millisecond})
			for _, l := range tr.Lines {
				ev, _ := jetstream.Parse(l, 0)
				if err := agg.Apply(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			}
			_ = agg.Flush(context.Background())
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = append(heap, float64(ms.HeapAlloc)/(1<<20))
		}
		s := agg.Snapshot()
		b.ReportMetric(heap[1], "heapMB@0.5M")
		b.ReportMetric(heap[len(heap)-1], "heapMB@2M")
		b.ReportMetric(float64(s.Tracked), "tracked")
		st.Close()
	}
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
