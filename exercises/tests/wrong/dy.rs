//! Wrong answers to exercise 5.

use min_char_rnn::Vector;

/// Takes the 1 off at the network's favourite character instead of the target.
pub fn minus_one_at_the_favourite(p: &Vector, _target: usize) -> Vector {
    let mut dy = p.clone();
    dy[p.argmax()] -= 1.0;
    dy
}

/// `onehot − p` instead of `p − onehot`.
pub fn sign_flipped(p: &Vector, target: usize) -> Vector {
    let mut dy = Vector::zeros(p.len());
    for k in 0..p.len() {
        dy[k] = -p[k];
    }
    dy[target] += 1.0;
    dy
}

/// Not written yet.
pub fn todo_output_gradient(_: &Vector, _: usize) -> Vector {
    todo!()
}
