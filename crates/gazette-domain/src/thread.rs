use crate::{Comment, CommentId};
use serde::Serialize;

/// Width of one zero-padded id in a materialised path. Twelve digits outlast any site.
const SEGMENT_WIDTH: usize = 12;

/// Where a new comment goes in its thread: its effective parent, path and depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The parent it is stored under (a reply too deep attaches to an ancestor).
    pub parent_id: Option<CommentId>,
    /// Materialised path ending in the comment's own id.
    pub path: String,
    /// 1 for top level.
    pub depth: u32,
}

/// The parent a reply was aimed at, as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentPosition {
    /// The parent's id.
    pub id: CommentId,
    /// The parent's path.
    pub path: String,
    /// The parent's depth.
    pub depth: u32,
}

/// One path segment for an id.
pub fn path_segment(id: CommentId) -> String {
    format!("{:0width$}", id.0, width = SEGMENT_WIDTH)
}

/// Places comment `id` under `parent`, never deeper than `max_depth` (at least 1).
///
/// A reply to a comment already at the deepest level attaches to that comment's ancestor one level up,
/// so it shows as the next reply at the deepest level, right after the comment it answers.
pub fn place(id: CommentId, parent: Option<&ParentPosition>, max_depth: u32) -> Placement {
    let max_depth = max_depth.max(1);
    let Some(parent) = parent else {
        return Placement {
            parent_id: None,
            path: path_segment(id),
            depth: 1,
        };
    };
    if max_depth == 1 {
        return place(id, None, max_depth);
    }
    if parent.depth < max_depth {
        return Placement {
            parent_id: Some(parent.id),
            path: format!("{}.{}", parent.path, path_segment(id)),
            depth: parent.depth + 1,
        };
    }
    // The ancestor at depth max_depth - 1 is the (max_depth - 1)th segment of the parent's path.
    let keep = (max_depth - 1) as usize;
    let segments: Vec<&str> = parent.path.split('.').take(keep).collect();
    let ancestor_id = segments
        .last()
        .and_then(|s| s.parse::<i64>().ok())
        .map(CommentId);
    Placement {
        parent_id: ancestor_id,
        path: format!("{}.{}", segments.join("."), path_segment(id)),
        depth: max_depth,
    }
}

/// A comment with its replies, for nested display.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadNode<T> {
    /// The comment.
    pub comment: T,
    /// Display depth, 1 for a top-level item.
    pub depth: u32,
    /// Replies in thread order.
    pub replies: Vec<ThreadNode<T>>,
}

/// Nests comments given in path order for display, no deeper than `max_depth`.
///
/// A comment whose parent is not in the list (it is on an earlier page, or was removed) starts a
/// new branch at the level it would have had, so page breaks inside a thread keep their indentation.
pub fn nest<T>(
    comments: Vec<T>,
    max_depth: u32,
    view: impl Fn(&T) -> &Comment,
) -> Vec<ThreadNode<T>> {
    let max_depth = max_depth.max(1);
    // A stack of open branches: (path, node). Each comment pops branches it is not inside.
    let mut roots: Vec<ThreadNode<T>> = Vec::new();
    let mut stack: Vec<(String, ThreadNode<T>)> = Vec::new();
    for item in comments {
        let (path, depth) = {
            let c = view(&item);
            (c.path.clone(), c.depth.clamp(1, max_depth))
        };
        while let Some((open_path, _)) = stack.last() {
            if path.starts_with(open_path.as_str())
                && path.as_bytes().get(open_path.len()) == Some(&b'.')
            {
                break;
            }
            close_top(&mut stack, &mut roots);
        }
        stack.push((
            path,
            ThreadNode {
                comment: item,
                depth,
                replies: Vec::new(),
            },
        ));
    }
    while !stack.is_empty() {
        close_top(&mut stack, &mut roots);
    }
    roots
}

fn close_top<T>(stack: &mut Vec<(String, ThreadNode<T>)>, roots: &mut Vec<ThreadNode<T>>) {
    if let Some((_, node)) = stack.pop() {
        match stack.last_mut() {
            Some((_, parent)) => parent.replies.push(node),
            None => roots.push(node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ArticleId, CommentStatus};

    fn comment(id: i64, parent: Option<&Comment>, max_depth: u32) -> Comment {
        let position = parent.map(|p| ParentPosition {
            id: p.id,
            path: p.path.clone(),
            depth: p.depth,
        });
        let placement = place(CommentId(id), position.as_ref(), max_depth);
        Comment {
            id: CommentId(id),
            article_id: ArticleId(1),
            parent_id: placement.parent_id,
            depth: placement.depth,
            path: placement.path,
            author_name: format!("c{id}"),
            author_url: None,
            avatar: String::new(),
            body_html: String::new(),
            status: CommentStatus::Approved,
            created_at: id,
            approved_seq: Some(id),
        }
    }

    #[test]
    fn top_level_comment_path_is_its_padded_id() {
        let c = comment(42, None, 5);
        assert_eq!(c.path, "000000000042");
        assert_eq!(c.depth, 1);
        assert_eq!(c.parent_id, None);
    }

    #[test]
    fn reply_path_extends_its_parent() {
        let a = comment(7, None, 5);
        let b = comment(9, Some(&a), 5);
        assert_eq!(b.path, "000000000007.000000000009");
        assert_eq!(b.depth, 2);
        assert_eq!(b.parent_id, Some(CommentId(7)));
    }

    #[test]
    fn paths_sort_into_thread_order() {
        let a = comment(1, None, 5);
        let b = comment(2, None, 5);
        let a_reply = comment(3, Some(&a), 5);
        let mut paths = [&b.path, &a_reply.path, &a.path];
        paths.sort();
        assert_eq!(paths, [&a.path, &a_reply.path, &b.path]);
    }

    #[test]
    fn a_reply_beyond_the_depth_limit_attaches_at_the_deepest_level() {
        let mut chain = vec![comment(1, None, 3)];
        for id in 2..=5 {
            let next = comment(id, chain.last(), 3);
            chain.push(next);
        }
        let depths: Vec<u32> = chain.iter().map(|c| c.depth).collect();
        assert_eq!(depths, [1, 2, 3, 3, 3]);
        // Comments 4 and 5 hang off comment 2, the ancestor at depth 2.
        assert_eq!(chain[3].parent_id, Some(CommentId(2)));
        assert_eq!(chain[4].parent_id, Some(CommentId(2)));
        assert_eq!(chain[4].path, "000000000001.000000000002.000000000005");
    }

    #[test]
    fn with_depth_one_every_reply_is_top_level() {
        let a = comment(1, None, 1);
        let b = comment(2, Some(&a), 1);
        assert_eq!((b.depth, b.parent_id), (1, None));
    }

    #[test]
    fn nest_builds_the_tree_from_path_order() {
        let a = comment(1, None, 5);
        let a1 = comment(2, Some(&a), 5);
        let a1x = comment(4, Some(&a1), 5);
        let b = comment(3, None, 5);
        let mut all = vec![a.clone(), a1.clone(), a1x.clone(), b.clone()];
        all.sort_by(|x, y| x.path.cmp(&y.path));
        let tree = nest(all, 5, |c| c);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].comment.id, CommentId(1));
        assert_eq!(tree[0].replies[0].comment.id, CommentId(2));
        assert_eq!(tree[0].replies[0].replies[0].comment.id, CommentId(4));
        assert_eq!(tree[0].replies[0].replies[0].depth, 3);
        assert_eq!(tree[1].comment.id, CommentId(3));
        assert!(tree[1].replies.is_empty());
    }

    #[test]
    fn a_reply_whose_parent_is_missing_keeps_its_level() {
        let a = comment(1, None, 5);
        let a1 = comment(2, Some(&a), 5);
        let b = comment(3, None, 5);
        let tree = nest(vec![a1, b], 5, |c| c);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].depth, 2);
        assert_eq!(tree[1].depth, 1);
    }

    #[test]
    fn nesting_never_shows_deeper_than_the_limit() {
        let a = comment(1, None, 9);
        let b = comment(2, Some(&a), 9);
        let c = comment(3, Some(&b), 9);
        let tree = nest(vec![a, b, c], 2, |c| c);
        assert_eq!(tree[0].replies[0].replies[0].depth, 2);
    }
}
