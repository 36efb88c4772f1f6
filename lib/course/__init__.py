"""Course machinery: exercise checks, quizzes and their bank, the review scheduler, progress, the
notes' claims and outline, and solutions/ -> chapters/ generation. Imports reference modules, never lib.ui."""
