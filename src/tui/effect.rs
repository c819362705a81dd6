//! What `update` asks the outside world to do. The app loop carries effects out:
//! background work goes to the pool, the rest the app does itself.

use super::job::Job;
use super::ticket::Ticket;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Background work for `ticket`; `urgent` work (on screen, or asked for
    /// with a key) runs before the rest.
    Run {
        ticket: Ticket,
        urgent: bool,
        job: Job,
    },
    /// Put text on the clipboard (OSC 52).
    Clipboard(String),
    /// Connect to another registry and start over there.
    SwitchRegistry(String),
    /// Give the terminal to one of your commands (`output = "terminal"`),
    /// then take it back after a key.
    Terminal(Vec<String>),
}

impl Effect {
    /// Work the user waits for.
    pub fn urgent(ticket: Ticket, job: Job) -> Effect {
        Effect::Run {
            ticket,
            urgent: true,
            job,
        }
    }

    /// Work that may wait (prefetching, a whole repository's sizes).
    pub fn background(ticket: Ticket, job: Job) -> Effect {
        Effect::Run {
            ticket,
            urgent: false,
            job,
        }
    }

    /// The job this effect runs, if it is background work.
    pub fn job(&self) -> Option<&Job> {
        match self {
            Effect::Run { job, .. } => Some(job),
            _ => None,
        }
    }
}
