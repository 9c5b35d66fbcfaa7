package collectors

import "testing"

func TestReplyDepths(t *testing.T) {
	t.Parallel()
	parent := map[string]string{
		"a": "root", "b": "a", "c": "b", // a chain
		"d": "gone",        // its parent was not read
		"x": "y", "y": "x", // a cycle
	}
	for _, r := range []int{0, 1} { // Mastodon counts the post as 0, TikTok the top comment as 1
		depth := ReplyDepths("root", r, parent)
		for id, want := range map[string]int{"root": r, "a": r + 1, "b": r + 2, "c": r + 3, "gone": r + 1, "d": r + 2} {
			if got := depth(id); got != want {
				t.Errorf("root at %d: depth(%s) = %d, want %d", r, id, got, want)
			}
		}
		if got := depth("x"); got <= r {
			t.Errorf("root at %d: a reply in a cycle at depth %d", r, got)
		}
	}
}
