package classify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
)

// CommentModel scores a comment as spam (promotion, self-promotion, link
// drops, bots) or legitimate from its text and its author's display name
// only. It combines two views of the comment, each a logistic regression:
//
//   - the n-gram view, over hashed words, bigrams, URL hosts, character
//     3–5-grams, author-name tokens and whole-comment meta features (see
//     NormalizeText for what is read);
//   - the intent view, over the four intent signals alone (a link, two or
//     more links, a request for likes, a call to action): what the comment
//     asks the reader to do or where it sends them. It cannot learn the
//     words of the videos it was trained on, so it transfers to a new video
//     as well as it does to the training ones.
//
// Their logits are combined by a third logistic regression (stacking)
// fitted on out-of-video scores: each view trained on all training videos
// but one and scored on that one. The stack therefore weighs each view by
// how well it carried over to a video it had not seen. A CommentModel is
// read-only and safe for concurrent use.
type CommentModel struct {
	w          []float32 // numBuckets weights of the n-gram view
	bias       float64
	intent     [numIntents]float64 // weights of the intent view
	intentBias float64
	stack      CommentStack
	threshold  float64
	info       CommentModelInfo
}

// CommentStack combines the two views: logit = NGram·z_ngram +
// Intent·z_intent + Bias.
type CommentStack struct {
	NGram, Intent, Bias float64
}

// CommentModelInfo describes how a CommentModel was trained.
type CommentModelInfo struct {
	FeatureVersion int
	Lambda         float64 // L2 strength of the n-gram view
	IntentLambda   float64 // L2 strength of the intent view
	Epochs         int
	Rows           int // training comments
	NonZero        int // non-zero n-gram weights stored
	// IntentWeights and IntentBias are the intent view (URL, ≥ 2 URLs,
	// engagement bait, call to action).
	IntentWeights [numIntents]float64
	IntentBias    float64
	Stack         CommentStack
	Threshold     float64 // chosen inside the training rows
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{runes: make([]rune, 0, 256), out: make([]rune, 0, 256)}
}}

// Spam returns the probability that the comment is spam.
func (m *CommentModel) Spam(author, text string) float64 {
	return sigmoid(m.logit(author, text))
}

// IsSpam reports whether Spam(author, text) reaches the model's threshold.
func (m *CommentModel) IsSpam(author, text string) bool {
	return m.Spam(author, text) >= m.threshold
}

// Threshold is the probability from which IsSpam answers true.
func (m *CommentModel) Threshold() float64 { return m.threshold }

// Info describes how the model was trained.
func (m *CommentModel) Info() CommentModelInfo { return m.info }

func (m *CommentModel) logit(author, text string) float64 {
	sc := scratchPool.Get().(*scratch)
	extract(sc, author, text)
	z := m.ngramLogit(sc)
	zi := m.intentLogit(sc.intents)
	scratchPool.Put(sc)
	return m.stack.combine(z, zi)
}

func (s CommentStack) combine(ngram, intent float64) float64 {
	return float64(s.NGram*ngram) + float64(s.Intent*intent) + s.Bias
}

// ngramLogit is the n-gram view's logit of the features in sc.
func (m *CommentModel) ngramLogit(sc *scratch) float64 {
	z := m.bias + m.groupSum(sc.text, 1) + m.groupSum(sc.chars, 1) + m.groupSum(sc.author, authorScale)
	for _, b := range sc.meta {
		z += float64(m.w[b])
	}
	return z
}

// intentLogit is the intent view's logit.
func (m *CommentModel) intentLogit(s intentSet) float64 {
	z := m.intentBias
	for k := range numIntents {
		if s.has(k) {
			z += m.intent[k]
		}
	}
	return z
}

func (m *CommentModel) groupSum(bs []uint32, scale float64) float64 {
	if len(bs) == 0 {
		return 0
	}
	var s float32
	w := m.w[:numBuckets]
	for _, b := range bs {
		s += w[b&(numBuckets-1)]
	}
	return float64(s) * scale / math.Sqrt(float64(len(bs)))
}

// The binary model format, all integers little-endian or uvarint:
//
//	magic "NSCOMM02"
//	uvarint feature version, uvarint hash bits
//	float64 bias, float64 threshold, float64 lambda
//	uvarint epochs, uvarint training rows
//	float64 intent lambda, float64 intent bias, uvarint k, k × float64 intent weight
//	float64 stack n-gram, float64 stack intent, float64 stack bias
//	uvarint n, then n × (uvarint bucket delta, float32 weight), buckets ascending
const commentMagic = "NSCOMM02"

// MarshalBinary encodes the model in the format DefaultComments embeds.
func (m *CommentModel) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(commentMagic)
	put := func(v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
	putF := func(f float64) { b.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))) }
	put(uint64(m.info.FeatureVersion))
	put(hashBits)
	putF(m.bias)
	putF(m.threshold)
	putF(m.info.Lambda)
	put(uint64(m.info.Epochs))
	put(uint64(m.info.Rows))
	putF(m.info.IntentLambda)
	putF(m.intentBias)
	put(numIntents)
	for _, w := range m.intent {
		putF(w)
	}
	putF(m.stack.NGram)
	putF(m.stack.Intent)
	putF(m.stack.Bias)
	n := 0
	for _, w := range m.w {
		if w != 0 {
			n++
		}
	}
	put(uint64(n))
	last := 0
	for i, w := range m.w {
		if w == 0 {
			continue
		}
		put(uint64(i - last))
		last = i
		b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(w)))
	}
	return b.Bytes(), nil
}

// LoadCommentModel decodes a model written by MarshalBinary. It refuses a
// model built for another feature extraction.
func LoadCommentModel(data []byte) (*CommentModel, error) {
	r := bytes.NewReader(data)
	magic := make([]byte, len(commentMagic))
	if _, err := r.Read(magic); err != nil || string(magic) != commentMagic {
		if string(magic[:len(magic)-2]) == commentMagic[:len(commentMagic)-2] {
			return nil, fmt.Errorf("decoding comment model: format %q, this code reads %q; run make train", magic, commentMagic)
		}
		return nil, errors.New("decoding comment model: not a comment model file")
	}
	var err error
	get := func() uint64 {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = binary.ReadUvarint(r)
		return v
	}
	getF := func() float64 {
		var u uint64
		if err == nil {
			err = binary.Read(r, binary.LittleEndian, &u)
		}
		return math.Float64frombits(u)
	}
	m := &CommentModel{w: make([]float32, numBuckets)}
	m.info.FeatureVersion = int(get())
	bitsStored := get()
	m.bias, m.threshold, m.info.Lambda = getF(), getF(), getF()
	m.info.Epochs, m.info.Rows = int(get()), int(get())
	m.info.IntentLambda, m.intentBias = getF(), getF()
	if k := get(); err == nil && k != numIntents {
		return nil, fmt.Errorf("decoding comment model: %d intent weights, this code reads %d; run make train", k, numIntents)
	}
	for k := range m.intent {
		m.intent[k] = getF()
	}
	m.stack = CommentStack{NGram: getF(), Intent: getF(), Bias: getF()}
	n := get()
	if err != nil {
		return nil, fmt.Errorf("decoding comment model header: %w", err)
	}
	if m.info.FeatureVersion != featureVersion || bitsStored != hashBits {
		return nil, fmt.Errorf("decoding comment model: built for feature version %d with %d hash bits, this code extracts version %d with %d bits; run make train",
			m.info.FeatureVersion, bitsStored, featureVersion, hashBits)
	}
	if n > numBuckets {
		return nil, fmt.Errorf("decoding comment model: %d weights for %d buckets", n, numBuckets)
	}
	pos := uint64(0)
	for i := uint64(0); i < n; i++ {
		pos += get()
		var u uint32
		if err == nil {
			err = binary.Read(r, binary.LittleEndian, &u)
		}
		if err != nil {
			return nil, fmt.Errorf("decoding comment model weight %d: %w", i, err)
		}
		if pos >= numBuckets {
			return nil, fmt.Errorf("decoding comment model: bucket %d out of range", pos)
		}
		m.w[pos] = math.Float32frombits(u)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("decoding comment model: %d trailing bytes", r.Len())
	}
	m.info.NonZero = int(n)
	if !finite(m.bias) || !(m.threshold > 0 && m.threshold < 1) {
		return nil, fmt.Errorf("decoding comment model: bad bias %v or threshold %v", m.bias, m.threshold)
	}
	for _, f := range append(m.intent[:], m.intentBias, m.stack.NGram, m.stack.Intent, m.stack.Bias) {
		if !finite(f) {
			return nil, fmt.Errorf("decoding comment model: non-finite intent or stack weight %v", f)
		}
	}
	m.info.IntentWeights, m.info.IntentBias, m.info.Stack, m.info.Threshold = m.intent, m.intentBias, m.stack, m.threshold
	return m, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
