//! Minibatches as char-rnn makes them: the text cut into `B` contiguous streams, read side by
//! side, `T` characters of each at a time.
//!
//! Part I reads one stream: chunk after chunk of `T` characters, the memory `h` carried from
//! each chunk to the next. A minibatch reads `B` such streams at once. Cutting the text into
//! `B` *contiguous* parts (rather than drawing `B` random places) keeps what makes the carried
//! memory right: the next chunk of stream `b` is the text that follows its last chunk, so the
//! state each stream ends a chunk with is the state its next chunk should start from.
//!
//! char-rnn's loader (`CharSplitLMMinibatchLoader.lua`), with `N` encoded characters:
//!
//! ```text
//! N'        = B·T·⌊N / (B·T)⌋           cut off the end so that everything divides evenly
//! target[i] = data[i + 1],   target[N' − 1] = data[0]       the last target wraps around
//! S         = N' / B                    characters per stream
//! stream b  = data[b·S .. (b+1)·S]      (data:view(B, −1) in Torch: row b)
//! chunk k   = columns k·T .. (k+1)·T of every stream     (:split(T, 2))
//! ```
//!
//! so the input of stream `b` at step `t` of chunk `k` is `data[b·S + k·T + t]`, and there are
//! `S / T` chunks. The last target of each stream is the first character of the next
//! stream, which is the character that follows it in the text; only the very last one wraps.
//!
//! ```lua
//! local ydata = data:clone()
//! ydata:sub(1,-2):copy(data:sub(2,-1))
//! ydata[-1] = data[1]
//! self.x_batches = data:view(batch_size, -1):split(seq_length, 2)
//! self.y_batches = ydata:view(batch_size, -1):split(seq_length, 2)
//! ```

use std::fmt;

/// `B` streams × `T` steps of inputs and targets: what one forward and backward pass reads.
///
/// Stored row by row, like a `(B, T)` matrix: the input of stream `b` at step `t` is at
/// `b·T + t` (PyTorch's `batch_first` layout).
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// // Two streams of three steps: "abc" → "bcd" and "xyz" → "yz!" as indices.
/// let chunk = Chunk::new(2, 3, vec![0, 1, 2, 5, 6, 7], vec![1, 2, 3, 6, 7, 8]);
/// assert_eq!(chunk.input(1, 0), 5);
/// assert_eq!(chunk.target(0, 2), 3);
/// assert_eq!(chunk.stream_inputs(1), &[5, 6, 7]);
/// ```
// ANCHOR: chunk
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    batch: usize,
    steps: usize,
    inputs: Vec<usize>,
    targets: Vec<usize>,
}
// ANCHOR_END: chunk

impl Chunk {
    /// A chunk of `batch` streams of `steps` characters, from `inputs` and `targets` given
    /// stream after stream (`b·T + t`).
    ///
    /// # Panics
    ///
    /// If `inputs` or `targets` does not hold `batch · steps` indices.
    ///
    /// # Examples
    ///
    /// ```
    /// let chunk = min_char_rnn::batch::Chunk::new(1, 2, vec![3, 4], vec![4, 5]);
    /// assert_eq!((chunk.batch_size(), chunk.steps()), (1, 2));
    /// ```
    #[track_caller]
    pub fn new(batch: usize, steps: usize, inputs: Vec<usize>, targets: Vec<usize>) -> Chunk {
        assert!(
            inputs.len() == batch * steps && targets.len() == batch * steps,
            "Chunk::new: {} inputs and {} targets for {batch} streams of {steps} steps",
            inputs.len(),
            targets.len()
        );
        Chunk {
            batch,
            steps,
            inputs,
            targets,
        }
    }

    /// A chunk of zeros, to be filled by [`Batches::chunk_into`].
    ///
    /// # Examples
    ///
    /// ```
    /// let chunk = min_char_rnn::batch::Chunk::zeros(2, 3);
    /// assert_eq!(chunk.input(1, 2), 0);
    /// ```
    pub fn zeros(batch: usize, steps: usize) -> Chunk {
        Chunk::new(batch, steps, vec![0; batch * steps], vec![0; batch * steps])
    }

    /// One stream of Part I: `B = 1`, the `T` inputs and targets of a single chunk.
    ///
    /// # Panics
    ///
    /// If the lengths differ.
    ///
    /// # Examples
    ///
    /// ```
    /// let chunk = min_char_rnn::batch::Chunk::single(&[1, 2], &[2, 3]);
    /// assert_eq!((chunk.batch_size(), chunk.target(0, 1)), (1, 3));
    /// ```
    #[track_caller]
    pub fn single(inputs: &[usize], targets: &[usize]) -> Chunk {
        Chunk::new(1, inputs.len(), inputs.to_vec(), targets.to_vec())
    }

    /// `B`, the number of streams.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// `T`, the number of steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The input character of stream `b` at step `t`.
    ///
    /// # Panics
    ///
    /// If `b >= B` or `t >= T`.
    #[track_caller]
    pub fn input(&self, b: usize, t: usize) -> usize {
        self.inputs[self.index(b, t)]
    }

    /// The target character of stream `b` at step `t`: the character after the input.
    ///
    /// # Panics
    ///
    /// If `b >= B` or `t >= T`.
    #[track_caller]
    pub fn target(&self, b: usize, t: usize) -> usize {
        self.targets[self.index(b, t)]
    }

    /// The `T` inputs of stream `b`.
    ///
    /// # Panics
    ///
    /// If `b >= B`.
    #[track_caller]
    pub fn stream_inputs(&self, b: usize) -> &[usize] {
        &self.inputs[self.stream_range(b)]
    }

    /// The `T` targets of stream `b`.
    ///
    /// # Panics
    ///
    /// If `b >= B`.
    #[track_caller]
    pub fn stream_targets(&self, b: usize) -> &[usize] {
        &self.targets[self.stream_range(b)]
    }

    /// Where stream `b` lives: `b·T .. (b+1)·T`.
    #[track_caller]
    fn stream_range(&self, b: usize) -> std::ops::Range<usize> {
        assert!(b < self.batch, "chunk: stream {b} of {}", self.batch);
        b * self.steps..(b + 1) * self.steps
    }

    /// Where `(b, t)` lives: `b·T + t`.
    #[track_caller]
    fn index(&self, b: usize, t: usize) -> usize {
        assert!(
            b < self.batch && t < self.steps,
            "chunk: (stream {b}, step {t}) of ({} x {})",
            self.batch,
            self.steps
        );
        b * self.steps + t
    }
}

/// Why a text cannot be cut into minibatches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    /// `B` or `T` is 0.
    ZeroSize {
        /// `B`.
        batch: usize,
        /// `T`.
        steps: usize,
    },
    /// The text is shorter than one chunk, `B·T` characters.
    TooShort {
        /// The number of characters.
        len: usize,
        /// `B·T`.
        needed: usize,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::ZeroSize { batch, steps } => write!(
                f,
                "batch size and sequence length must be at least 1, not {batch} and {steps}"
            ),
            BatchError::TooShort { len, needed } => write!(
                f,
                "the text has {len} characters, fewer than one minibatch needs ({needed} = batch size × sequence length)"
            ),
        }
    }
}

impl std::error::Error for BatchError {}

/// An encoded text cut into `B` streams of `T`-step chunks, char-rnn's way (see the
/// [module docs](self)).
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Batches;
/// let data: Vec<usize> = (0..14).collect(); // 14 characters, B = 2, T = 3: 12 are used
/// let batches = Batches::new(&data, 2, 3)?;
/// assert_eq!((batches.len(), batches.stream_len()), (2, 6));
/// let chunk = batches.chunk(1);
/// assert_eq!(chunk.stream_inputs(0), &[3, 4, 5]);
/// assert_eq!(chunk.stream_inputs(1), &[9, 10, 11]);
/// assert_eq!(chunk.stream_targets(1), &[10, 11, 0]); // the very last target wraps around
/// # Ok::<(), min_char_rnn::batch::BatchError>(())
/// ```
// ANCHOR: batches
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batches {
    /// The first `B·T·⌊N / (B·T)⌋` characters.
    inputs: Vec<usize>,
    /// `inputs` shifted by one, the last wrapping around to `inputs[0]`.
    targets: Vec<usize>,
    batch: usize,
    steps: usize,
}
// ANCHOR_END: batches

impl Batches {
    /// Cuts `data` into `batch` streams of chunks of `steps` characters.
    ///
    /// # Errors
    ///
    /// [`BatchError::ZeroSize`] if `batch` or `steps` is 0; [`BatchError::TooShort`] if
    /// `data` holds fewer than `batch · steps` characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::batch::{BatchError, Batches};
    /// assert_eq!(
    ///     Batches::new(&[0, 1, 2], 2, 2),
    ///     Err(BatchError::TooShort { len: 3, needed: 4 })
    /// );
    /// ```
    // ANCHOR: batches_new
    pub fn new(data: &[usize], batch: usize, steps: usize) -> Result<Batches, BatchError> {
        if batch == 0 || steps == 0 {
            return Err(BatchError::ZeroSize { batch, steps });
        }
        let per_chunk = batch * steps;
        if data.len() < per_chunk {
            return Err(BatchError::TooShort {
                len: data.len(),
                needed: per_chunk,
            });
        }
        let used = per_chunk * (data.len() / per_chunk); // cut off the end
        let inputs = data[..used].to_vec();
        let mut targets = Vec::with_capacity(used);
        targets.extend_from_slice(&data[1..used]); // target[i] = data[i + 1]
        targets.push(data[0]); // and the last one wraps around
        Ok(Batches {
            inputs,
            targets,
            batch,
            steps,
        })
    }
    // ANCHOR_END: batches_new

    /// The number of chunks, `S / T` (char-rnn's `nbatches`).
    pub fn len(&self) -> usize {
        self.stream_len() / self.steps
    }

    /// `true` if there is no chunk (never, for a `Batches` that [`Batches::new`] made).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `B`, the number of streams.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// `T`, the number of steps per chunk.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// `S`, the number of characters in each stream.
    pub fn stream_len(&self) -> usize {
        self.inputs.len() / self.batch
    }

    /// Where stream `b` starts in the text: `b·S`.
    pub fn stream_start(&self, b: usize) -> usize {
        b * self.stream_len()
    }

    /// Writes chunk `k` into `chunk`: for every stream `b` and step `t`, the input
    /// `data[b·S + k·T + t]` and its target. `chunk` is resized only if it has another shape.
    ///
    /// # Panics
    ///
    /// If `k >= len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::batch::{Batches, Chunk};
    /// let batches = Batches::new(&[7, 8, 9, 10], 2, 1)?;
    /// let mut chunk = Chunk::zeros(2, 1);
    /// batches.chunk_into(1, &mut chunk);
    /// assert_eq!((chunk.input(0, 0), chunk.input(1, 0)), (8, 10));
    /// # Ok::<(), min_char_rnn::batch::BatchError>(())
    /// ```
    // ANCHOR: chunk_into
    #[track_caller]
    pub fn chunk_into(&self, k: usize, chunk: &mut Chunk) {
        assert!(k < self.len(), "chunk_into: chunk {k} of {}", self.len());
        if chunk.batch_size() != self.batch || chunk.steps() != self.steps {
            *chunk = Chunk::zeros(self.batch, self.steps);
        }
        for b in 0..self.batch {
            let start = self.stream_start(b) + k * self.steps; // b·S + k·T
            for t in 0..self.steps {
                let i = chunk.index(b, t);
                chunk.inputs[i] = self.inputs[start + t];
                chunk.targets[i] = self.targets[start + t];
            }
        }
    }
    // ANCHOR_END: chunk_into

    /// Chunk `k` as a new [`Chunk`] (see [`Batches::chunk_into`]).
    ///
    /// # Panics
    ///
    /// If `k >= len()`.
    #[track_caller]
    pub fn chunk(&self, k: usize) -> Chunk {
        let mut chunk = Chunk::zeros(self.batch, self.steps);
        self.chunk_into(k, &mut chunk);
        chunk
    }
}
