package model

import (
	"slices"
	"testing"
)

func TestKeepKnown(t *testing.T) {
	stored := Creator{Followers: 5000, Following: 120, PostsCount: 40}
	cases := []struct {
		name       string
		c          Creator
		stored     Creator
		want       Creator
		wantKept   []string
		wantUnknow []string
	}{
		{"all known: nothing kept", Creator{Followers: 0, Following: 1, PostsCount: 2}, stored, Creator{Followers: 0, Following: 1, PostsCount: 2}, nil, nil},
		{"followers unknown: stored kept", Creator{Following: 130, Unknown: []string{CountFollowers}}, stored,
			Creator{Followers: 5000, Following: 130}, []string{CountFollowers}, nil},
		{"two unknown", Creator{Unknown: []string{CountFollowers, CountPosts, CountFollowers}}, stored,
			Creator{Followers: 5000, PostsCount: 40}, []string{CountFollowers, CountPosts}, nil},
		{"stored unknown too: stays unknown", Creator{Unknown: []string{CountFollowers}}, Creator{Unknown: []string{CountFollowers}},
			Creator{}, nil, []string{CountFollowers}},
		{"a name that is no count stays listed", Creator{Unknown: []string{"views"}}, stored, Creator{}, nil, []string{"views"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, kept := KeepKnown(tc.c, tc.stored)
			if got.Followers != tc.want.Followers || got.Following != tc.want.Following || got.PostsCount != tc.want.PostsCount {
				t.Errorf("counts %d/%d/%d, want %d/%d/%d", got.Followers, got.Following, got.PostsCount, tc.want.Followers, tc.want.Following, tc.want.PostsCount)
			}
			if !slices.Equal(kept, tc.wantKept) {
				t.Errorf("kept %v, want %v", kept, tc.wantKept)
			}
			if len(kept) > 0 && !slices.Equal(got.Unknown, tc.wantUnknow) {
				t.Errorf("unknown %v, want %v", got.Unknown, tc.wantUnknow)
			}
		})
	}
	if (Creator{Unknown: []string{CountFollowers}}).Known(CountFollowers) || !(Creator{}).Known(CountFollowers) {
		t.Error("Known is wrong")
	}
}
