package scoring

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// The commenter judge. A sampled commenter has just commented, so "inactive"
// (no posts) does not apply to it the way it does to a follower; the
// question is whether a real person wrote the comment or a bot or bought
// account did. The platforms that sample commenters (YouTube, TikTok,
// Instagram) show no post or follow counts with a comment, so the judge
// reads what they do show, each as a likelihood ratio on the odds of a bot
// (naive Bayes: the signs are taken as independent given the class), and
// calls the commenter a bot when that is more likely than not:
//
//   - its comments: self-promotion spam by the shipped comment-spam model
//     (classify, trained on real labelled YouTube comments), and the same
//     words written by other accounts under the same creator (bot rings and
//     comment sellers post from a short list of stock phrases; a text of
//     under 8 letters, "🔥" or "Nice!", does not count: real people write
//     those too);
//   - its picture: the platform's default picture (Instagram, TikTok: a
//     field their comment payloads carry; YouTube shows a picture for every
//     channel, so it is unknown there);
//   - its age where shown (YouTube channels.list publishedAt): a channel a
//     few weeks old.
//
// What it does not read: handle digits (common among real people and in
// every platform's suggested handles), follower or upload counts (a
// viewer's channel with no subscribers and no videos is what most real
// viewers have), and hidden subscriber counts (a privacy default).
const (
	// CommenterBotPrior is the share of bots assumed among a creator's
	// commenters before any sign is read: published audits put bot
	// comments at a few per cent to a fifth of comments on ordinary
	// accounts; a tenth is the middle.
	CommenterBotPrior = 0.10
	// LRDefaultPicture and LRUploadedPicture: the labelled Instagram
	// accounts of ../shared/datasets (instagram-fake-spammer-genuine)
	// have no picture in 59 % of the fakes and 0.7 % of the genuine
	// accounts (a ratio of about 85) and a picture in 41 % and 99 %
	// (about 0.41). Its genuine accounts were picked among established
	// users; among ordinary commenters 5–10 % keep the default picture, so
	// the ratio used is shrunk to 4, and the uploaded one to 0.5.
	LRDefaultPicture  = 4.0
	LRUploadedPicture = 0.5
	// LRSpam: at least one of its comments is self-promotion spam by the
	// comment model ("check my page", links, "DM for promo").
	LRSpam = 10.0
	// LRCopied: at least CopiedMinOthers other accounts wrote one of its
	// comments word for word under the same creator; LRCopiedOnce: one
	// other did (two people can say the same).
	LRCopied        = 5.0
	LRCopiedOnce    = 1.5
	CopiedMinOthers = 2
	// LRNewAccount: the account is under NewAccountAge old when sampled
	// (fresh accounts are what bought comments come from); LROldAccount:
	// over a year.
	LRNewAccount  = 3.0
	LROldAccount  = 0.7
	NewAccountAge = 30 * 24 * time.Hour
	OldAccountAge = 365 * 24 * time.Hour
)

// Bot signs of a commenter verdict (AccountVerdict.Signs).
const (
	SignDefaultPicture uint8 = 1 << iota // the platform's default picture
	SignSpam                             // self-promotion spam in its comments
	SignCopied                           // the same words as other accounts
	SignNewAccount                       // an account weeks old
)

// numSignBits is how many bot signs there are.
const numSignBits = 4

// signWords are the signs in words, in bit order, for the breakdown.
var signWords = [...]string{"the default picture", "self-promotion spam", "the same words as other accounts", "an account weeks old"}

// CommenterLR is the likelihood ratio P(signs | bot) ÷ P(signs | person) of
// one sampled commenter, its bot signs, and whether anything besides the
// handle was shown (known). spam is whether the comment model read at
// least one of its comments as spam (nil: no text was judged). A
// self-declared bot gets DeclaredBotLR. Monotone: a further bot sign
// never lowers the ratio.
func CommenterLR(a model.AudienceAccount, spam *bool, now time.Time) (lr float64, signs uint8, known bool) {
	if a.Bot != nil && *a.Bot {
		return DeclaredBotLR, 0, true
	}
	lr = 1
	if a.HasAvatar != nil {
		known = true
		if *a.HasAvatar {
			lr *= LRUploadedPicture
		} else {
			lr *= LRDefaultPicture
			signs |= SignDefaultPicture
		}
	}
	if spam != nil {
		known = true
		if *spam {
			lr *= LRSpam
			signs |= SignSpam
		}
	}
	if a.SameText != nil {
		known = true
		switch {
		case *a.SameText >= CopiedMinOthers:
			lr *= LRCopied
			signs |= SignCopied
		case *a.SameText == 1:
			lr *= LRCopiedOnce
		}
	}
	if a.CreatedAt != nil && !now.IsZero() {
		known = true
		switch age := now.Sub(*a.CreatedAt); {
		case age < NewAccountAge:
			lr *= LRNewAccount
			signs |= SignNewAccount
		case age > OldAccountAge:
			lr *= LROldAccount
		}
	}
	return lr, signs, known
}

// DeclaredBotLR is the likelihood ratio of an account that says it is a bot.
const DeclaredBotLR = 1e6

// JudgeCommenter judges one commenter on its own, at the prior
// CommenterBotPrior: P is the posterior probability of a bot, and the
// verdict is definite, a bot (Fake 1) when P is at least one half, else a
// real person (Real 1; a commenter is active by definition). Unknown when
// nothing besides the handle was shown. Monotone: a further bot sign never
// makes a commenter less fake. A definite verdict per account keeps the
// estimate robust where the likelihood ratios are off: a person needs
// several bot signs together to be counted as a bot, where summed
// probabilities would add a few per cent of every person to the bot count.
func JudgeCommenter(a model.AudienceAccount, spam *bool, now time.Time) AccountVerdict {
	lr, signs, known := CommenterLR(a, spam, now)
	if !known {
		return AccountVerdict{Why: "nothing shown besides the handle"}
	}
	p := posterior(CommenterBotPrior, lr)
	v := AccountVerdict{Known: true, P: p, Signs: signs}
	if p >= 0.5 {
		v.Fake = 1
	} else {
		v.Real = 1
	}
	v.Why = commenterWhy(p, signs)
	return v
}

// posterior is the probability of a bot at prior pi given likelihood ratio lr.
func posterior(pi, lr float64) float64 {
	if pi <= 0 {
		return 0
	}
	if pi >= 1 {
		return 1
	}
	return pi * lr / (pi*lr + 1 - pi)
}

// commenterWhy is the short reason of a commenter verdict.
func commenterWhy(p float64, signs uint8) string {
	if p < 0.5 {
		return "comments like a person"
	}
	return "looks like a bot: " + signText(signs) + " (p " + strconv.FormatFloat(math.Round(100*p)/100, 'f', 2, 64) + ")"
}

// signText lists the signs in words.
func signText(signs uint8) string {
	var parts []string
	for i := range signWords {
		if signs&(1<<i) != 0 {
			parts = append(parts, signWords[i])
		}
	}
	if len(parts) == 0 {
		return "no single sign"
	}
	return strings.Join(parts, ", ")
}
