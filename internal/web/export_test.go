package web

// MarkdownRenders counts the Markdown sources the pages have rendered
// (not served from the cache) since the process started.
func MarkdownRenders() int64 { return renderedMarkdown.renders.Load() }

// ResetMarkdownCache empties the cache of rendered Markdown (benchmarks of
// a first view).
func ResetMarkdownCache() { renderedMarkdown = newMDCache(mdCacheBytes) }
