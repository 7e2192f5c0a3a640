// discussion enhancements
