import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)
