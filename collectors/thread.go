package collectors

// ReplyDepths returns the depth of each reply in a thread whose replies
// point at their parents (parent: reply id → the id it answers): the root
// is at rootDepth, a reply one deeper than its parent. An id that was not
// read counts as one below the root (so its replies are two below), and a
// cycle ends there too instead of recursing forever.
func ReplyDepths(root string, rootDepth int, parent map[string]string) func(id string) int {
	depths := map[string]int{root: rootDepth}
	var depth func(id string, hops int) int
	depth = func(id string, hops int) int {
		if d, ok := depths[id]; ok {
			return d
		}
		par, ok := parent[id]
		if !ok || hops > len(parent) { // not read, or a cycle
			return rootDepth + 1
		}
		d := depth(par, hops+1) + 1
		depths[id] = d
		return d
	}
	return func(id string) int { return depth(id, 0) }
}
