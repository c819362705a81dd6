//! The usage view.

use super::*;

#[test]
fn marked_bytes_freed_follow_the_marks() {
    use crate::model::usage::DigestObjects;
    let (mut state, _) = with_tags(&["a", "b"]);
    let (da, db) = (Digest::sha256_of(b"a"), Digest::sha256_of(b"b"));
    let layer = |n: u8| Digest::sha256_of(&[n, n]);
    let objects: std::collections::HashMap<Digest, DigestObjects> = [
        (da.clone(), [(da.clone(), 1), (layer(1), 100)]),
        (db.clone(), [(db.clone(), 1), (layer(2), 1000)]),
    ]
    .into_iter()
    .map(|(d, o)| {
        let objects = o.into_iter().collect();
        (
            d,
            DigestObjects {
                kind: "image",
                objects,
                ..Default::default()
            },
        )
    })
    .collect();
    let tag_digests = vec![("a".to_string(), da), ("b".to_string(), db)];
    let data = crate::ops::usage::UsageData {
        usage: crate::model::usage::repo_usage("app", &tag_digests, &objects),
        tag_digests,
        objects,
    };
    let effects = update(&mut state, key('u'));
    let (ticket, _) = job_of(&effects, |j| matches!(j, Job::Usage { .. }));
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Usage(Ok(Arc::new(data)))),
    );
    assert_eq!(state.usage.marked_freed(), Some(0));
    update(&mut state, key(' '));
    assert_eq!(state.usage.marked_freed(), Some(101));
    update(&mut state, key(' '));
    assert_eq!(state.usage.marked_freed(), Some(1102));
}
