package app

// launchpadStore is the part of Store that keeps the product catalogue and
// saved Launchpads (filled in by the Launchpad feature).
type launchpadStore interface{}
