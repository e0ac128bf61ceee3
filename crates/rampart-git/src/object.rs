//! Reading one blob into a [`SourceItem`], the same way for history and the index.

use gix::objs::Kind;
use gix::ObjectId;
use rampart_core::{Diagnostic, Origin, OwnedBlob, SourceItem};

use crate::describe;

/// Reads blob `id` found at `path`. The size comes from the object header first, so a blob over
/// `max_size` is never inflated; anything that goes wrong names the object so it can be looked
/// at with `git cat-file`.
pub(crate) fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: String,
    origin: Origin,
    max_size: u64,
) -> SourceItem {
    let header = match repo.try_find_header(id) {
        Ok(Some(header)) => header,
        Ok(None) => return unreadable(path, format!("blob {id} is missing from the repository")),
        Err(e) => {
            return unreadable(
                path,
                format!("blob {id} could not be read: {}", describe(&e)),
            )
        }
    };
    if header.kind() != Kind::Blob {
        return unreadable(
            path,
            format!("object {id} is a {}, not a blob", header.kind()),
        );
    }
    if header.size() > max_size {
        return SourceItem::TooLarge {
            path,
            size: header.size(),
            limit: max_size,
        };
    }
    match repo.try_find_object(id) {
        Ok(Some(object)) if object.kind == Kind::Blob => SourceItem::Blob(OwnedBlob {
            path,
            origin,
            bytes: object.detach().data,
        }),
        Ok(Some(object)) => unreadable(
            path,
            format!("object {id} is a {}, not a blob", object.kind),
        ),
        Ok(None) => unreadable(path, format!("blob {id} is missing from the repository")),
        Err(e) => unreadable(
            path,
            format!("blob {id} could not be read: {}", describe(&e)),
        ),
    }
}

pub(crate) fn unreadable(path: impl Into<String>, message: impl Into<String>) -> SourceItem {
    SourceItem::Unreadable(Diagnostic::warning(path, message))
}
