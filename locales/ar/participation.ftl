# Participation: committees and community consultations.
