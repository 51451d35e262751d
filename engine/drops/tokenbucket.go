package drops

// TokenBucket limits how often drop actions run: it holds up to Max tokens,
// gains Rate tokens per second of (event) time and starts full. It is
// Falco's token bucket, with time in nanoseconds passed in by the caller.
type TokenBucket struct {
	rate, max float64
	tokens    float64
	last      uint64
	started   bool
}

// NewTokenBucket returns a full bucket.
func NewTokenBucket(rate, max float64) *TokenBucket {
	return &TokenBucket{rate: rate, max: max, tokens: max}
}

// Claim takes one token at time now (ns) and reports whether there was one.
// The first call sets the bucket's clock; time going backwards (events from
// different CPUs are not strictly ordered) adds nothing.
func (b *TokenBucket) Claim(now uint64) bool {
	if !b.started {
		b.started, b.last = true, now
	}
	if now > b.last {
		b.tokens += b.rate * float64(now-b.last) / 1e9
		b.last = now
		if b.tokens > b.max {
			b.tokens = b.max
		}
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Tokens returns the tokens left after the last Claim.
func (b *TokenBucket) Tokens() float64 { return b.tokens }
